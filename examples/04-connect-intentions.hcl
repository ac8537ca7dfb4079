# Scenario 4's intention: app may reach redis through the mesh.
# Apply with: consul config write examples/04-connect-intentions.hcl
Kind = "service-intentions"
Name = "redis"
Sources = [
  {
    Name   = "app"
    Action = "allow"
  },
]
