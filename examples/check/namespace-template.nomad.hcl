# netviz check example: a template query across namespaces.
#
# The job runs in Nomad namespace "check" (create it first: nomad namespace
# apply check) and asks Nomad's registry for "redis-native", which
# 03-discovery-nomad.nomad.hcl registers in namespace "default". Nomad's
# registry is per namespace: the query finds nothing and the template
# renders no address. `netviz check` predicts missing-service-ref.
job "check-namespace" {
  namespace = "check"
  type      = "service"

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
        REDIS_ADDR={{ range nomadService "redis-native" }}{{ .Address }}:{{ .Port }}{{ end }}
        EOT
        destination = "local/redis.env"
        env         = true
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
