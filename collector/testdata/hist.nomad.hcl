# A small job the history test scales and stops.
job "hist" {
  type = "service"

  group "web" {
    count = 1

    # Replace every allocation at once, so a job update is one burst.
    update {
      max_parallel      = 5
      min_healthy_time  = "1s"
      healthy_deadline  = "1m"
      progress_deadline = "2m"
    }

    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "hist-web"
      provider = "nomad"
      port     = "http"
    }

    task "web" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "8080", "--bind", "0.0.0.0"]
      }
      resources {
        cpu    = 20
        memory = 32
      }
    }
  }
}
