# Broken on purpose: the template asks Consul for "ghost-cache", which no
# job provides (lint missing-service-ref). It renders no address, and the
# app starts with an empty CACHE_ADDR.
job "broken-missing-ref" {
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
      resources {
        cpu    = 50
        memory = 64
      }
      template {
        data        = <<-EOT
        CACHE_ADDR={{ range service "ghost-cache" }}{{ .Address }}:{{ .Port }}{{ end }}
        EOT
        destination = "local/cache.env"
        env         = true
      }
    }
  }
}
