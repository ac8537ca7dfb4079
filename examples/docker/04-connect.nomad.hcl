# Scenario 4 with Docker and Envoy: Redis behind a Connect sidecar; the app
# reaches it on localhost:6379 through its own sidecar's upstream. Write the
# intention in ../04-connect-intentions.hcl to allow app → redis.
job "mesh" {
  group "redis" {
    network {
      mode = "bridge"
    }
    service {
      name = "redis"
      port = "6379"
      connect {
        sidecar_service {}
      }
    }
    task "redis" {
      driver = "docker"
      config {
        image = "redis:7"
      }
    }
  }

  group "app" {
    network {
      mode = "bridge"
    }
    service {
      name = "app"
      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "redis"
              local_bind_port  = 6379
            }
          }
        }
      }
    }
    task "app" {
      driver = "docker"
      config {
        image   = "redis:7"
        command = "sh"
        args    = ["-c", "while true; do redis-cli -h 127.0.0.1 -p 6379 ping; sleep 10; done"]
      }
    }
  }
}
