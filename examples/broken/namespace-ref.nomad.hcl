# Broken on purpose: the template asks Nomad's registry for "prod-cache",
# which namespace-ref-prod.nomad.hcl registers in Nomad namespace "prod".
# Nomad's registry is per namespace, so from "default" the query finds
# nothing and renders no address (lint missing-service-ref).
job "broken-namespace-ref" {
  group "app" {
    network {
      mode = "bridge"
    }

    task "app" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "8080", "--bind", "0.0.0.0"]
      }
      template {
        data        = <<-EOT
        CACHE_ADDR={{ range nomadService "prod-cache" }}{{ .Address }}:{{ .Port }}{{ end }}
        EOT
        destination = "local/cache.env"
        env         = true
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
