package model

// PortTask names the task of the allocation that serves the port label, or
// "" when the model cannot tell. In order: the task listing the port in its
// config.ports (the driver publishes it), the task whose service advertises
// it, a task named after the label, and the allocation's only main task.
// The last two matter for drivers without config.ports (raw_exec, exec,
// java), which bind whatever the task listens on. Labels compare as Nomad's
// environment names do (NOMAD_ADDR_redis_db for "redis-db").
func (a *Allocation) PortTask(label string) string {
	l := EnvLabel(label)
	for _, t := range a.Tasks {
		for _, cp := range t.ConfigPorts {
			if EnvLabel(cp) == l {
				return t.Name
			}
		}
	}
	for _, s := range a.Services {
		if s.Task != "" && s.PortLabel != "" && EnvLabel(s.PortLabel) == l {
			return s.Task
		}
	}
	main := ""
	mains := 0
	for _, t := range a.Tasks {
		if EnvLabel(t.Name) == l {
			return t.Name
		}
		if t.Kind == "" && (t.Lifecycle == "" || t.Sidecar) {
			main = t.Name
			mains++
		}
	}
	if mains == 1 {
		return main
	}
	return ""
}
