# netviz check example: a static port that collides.
#
# Static host port 26379 is already held on the node by
# 01-exposed-port.nomad.hcl (job redis-exposed, group "static", task
# "redis"). `netviz check` names that allocation, job and task; Nomad's plan
# says only "reserved port collision"; deployed anyway, the job is never
# placed while the holder runs.
job "check-collision" {
  type = "service"

  group "cache" {
    network {
      mode = "bridge"
      port "redis" {
        static = 26379
        to     = 6379
      }
    }

    service {
      name     = "check-cache"
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
}
