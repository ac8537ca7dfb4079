# The existing intention that denies denied-upstream.nomad.hcl's new
# upstream: service "intruder" may reach no service through the mesh.
# Apply with: consul config write <this file>
Kind = "service-intentions"
Name = "*"
Sources = [
  {
    Name   = "intruder"
    Action = "deny"
  },
]
