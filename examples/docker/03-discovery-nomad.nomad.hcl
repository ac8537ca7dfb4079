# Scenario 3 with Docker (nomad registry): Redis registers "redis-native"; the app
# renders its address from a template (nomadService "redis-native").
job "discovery-nomad" {
  group "redis" {
    network {
      port "redis" {
        to = 6379
      }
    }
    service {
      name     = "redis-native"
      provider = "nomad"
      port     = "redis"
    }
    task "redis" {
      driver = "docker"
      config {
        image = "redis:7"
        ports = ["redis"]
      }
    }
  }

  group "app" {
    task "app" {
      driver = "docker"
      config {
        image   = "redis:7"
        command = "sh"
        args    = ["-c", "while true; do redis-cli -u redis://$REDIS_ADDR ping; sleep 10; done"]
      }
      template {
        data        = <<-EOT
        {{ range nomadService "redis-native" }}REDIS_ADDR={{ .Address }}:{{ .Port }}
        {{ end }}
        EOT
        destination = "local/redis.env"
        env         = true
      }
    }
  }
}
