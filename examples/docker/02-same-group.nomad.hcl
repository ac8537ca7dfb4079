# Scenario 2 with Docker: an app and its Redis cache in one group, sharing
# the group's bridge namespace; the app gets Redis's address from
# NOMAD_ADDR_redis.
job "same-group" {
  group "cache-and-app" {
    network {
      mode = "bridge"
      port "redis" {
        to = 6379
      }
      port "http" {
        to = 8080
      }
    }
    task "redis" {
      driver = "docker"
      config {
        image = "redis:7"
        ports = ["redis"]
      }
    }
    task "app" {
      driver = "docker"
      config {
        image = "hashicorp/http-echo:1.0"
        args  = ["-listen", ":8080", "-text", "hello"]
        ports = ["http"]
      }
      env {
        REDIS_ADDR = "${NOMAD_ADDR_redis}"
      }
    }
  }
}
