# Scenario 3 with Docker (consul registry): Redis registers "redis-consul"; the app
# renders its address from a template (service "redis-consul").
job "discovery-consul" {
  group "redis" {
    network {
      port "redis" {
        to = 6379
      }
    }
    service {
      name     = "redis-consul"
      provider = "consul"
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
        {{ range service "redis-consul" }}REDIS_ADDR={{ .Address }}:{{ .Port }}
        {{ end }}
        EOT
        destination = "local/redis.env"
        env         = true
      }
    }
  }
}
