# netviz check example: 03-discovery-nomad.nomad.hcl with one change, the
# "redis" port's `to` (6379 → 6380, and the task listens there). `netviz
# check` reports exactly that port change, no new finding and no reach
# change (exit 0).
job "discovery-nomad" {
  type = "service"

  group "redis" {
    network {
      mode = "bridge"
      port "redis" {
        to = 6380
      }
    }

    service {
      name     = "redis-native"
      provider = "nomad"
      port     = "redis"

      check {
        type     = "http"
        path     = "/"
        interval = "5s"
        timeout  = "2s"
      }
    }

    task "redis" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "6380", "--bind", "0.0.0.0"]
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }

  group "app" {
    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "app-native"
      provider = "nomad"
      port     = "http"
    }

    task "app" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "8080", "--bind", "0.0.0.0"]
      }
      template {
        data        = <<-EOT
        {{ range nomadService "redis-native" }}REDIS_ADDR={{ .Address }}:{{ .Port }}
        {{ end }}
        EOT
        destination = "local/redis.env"
        env         = true
        change_mode = "restart"
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
