# The intention that breaks intention-deny.nomad.hcl: nosy-app may not
# reach secret-db. Apply with: consul config write <this file>
Kind = "service-intentions"
Name = "secret-db"
Sources = [
  {
    Name   = "nosy-app"
    Action = "deny"
  },
]
