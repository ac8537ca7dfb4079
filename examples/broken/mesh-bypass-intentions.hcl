# Only "web" may reach exposed-db through the mesh: which is what the
# mapped port in mesh-bypass.nomad.hcl goes around.
# Apply with: consul config write <this file>
Kind = "service-intentions"
Name = "exposed-db"
Sources = [
  {
    Name   = "web"
    Action = "allow"
  },
]
