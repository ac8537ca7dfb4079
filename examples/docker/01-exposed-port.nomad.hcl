# Scenario 1 with Docker: Redis on a dynamic host port mapped to 6379, and
# the same on static port 26379. Docker publishes only the ports listed in
# config.ports.
job "redis-exposed" {
  group "dynamic" {
    network {
      port "redis" {
        to = 6379
      }
    }
    task "redis" {
      driver = "docker"
      config {
        image = "redis:7"
        ports = ["redis"]
      }
    }
  }

  group "static" {
    network {
      port "redis" {
        static = 26379
        to     = 6379
      }
    }
    task "redis" {
      driver = "docker"
      config {
        image = "redis:7"
        ports = ["redis"]
      }
    }
  }
}
