# Scenario 1: expose an application on the host.
#
# A "redis" stand-in (python3's http.server; no Docker here) reachable from
# outside its allocation through a host port, three ways:
#   - group "dynamic": bridge mode, a dynamic host port mapped to 6379 inside
#     the allocation's network namespace (CNI portmap does the DNAT);
#   - group "static": the same with a static host port, 26379 → 6379;
#   - group "host": host networking, the task binds the host port itself
#     (raw_exec has no port mapping in host mode, so there is no `to`).
# netviz draws each port as an arrow crossing the host's port ruler.
job "redis-exposed" {
  type = "service"

  group "dynamic" {
    network {
      mode = "bridge"
      port "redis" {
        to = 6379
      }
    }

    service {
      name     = "redis-dynamic"
      provider = "nomad"
      port     = "redis"
    }

    task "redis" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "6379", "--bind", "0.0.0.0"]
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }

  group "static" {
    network {
      mode = "bridge"
      port "redis" {
        static = 26379
        to     = 6379
      }
    }

    service {
      name     = "redis-static"
      provider = "nomad"
      port     = "redis"
    }

    task "redis" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "6379", "--bind", "0.0.0.0"]
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }

  group "host" {
    network {
      mode = "host"
      port "redis" {}
    }

    service {
      name     = "redis-host"
      provider = "nomad"
      port     = "redis"
    }

    task "redis" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "${NOMAD_PORT_redis}", "--bind", "${NOMAD_IP_redis}"]
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
