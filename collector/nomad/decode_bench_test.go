package nomad

import (
	"strings"
	"testing"
)

// BenchmarkDecodeAllocFrame measures decoding and applying a frame of 100
// allocation events (the frame size seen during mass replacements, see
// docs/nomad-behaviour.md) into slim types and the model. Synthetic
// events: a benchmark fake built from one real-shaped event with distinct IDs.
func BenchmarkDecodeAllocFrame(b *testing.B) {
	one := allocEvent[strings.Index(allocEvent, `{"Topic"`):strings.LastIndex(allocEvent, "]}")]
	var sb strings.Builder
	sb.WriteString(`{"Index":1000,"Events":[`)
	for i := 0; i < 100; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(strings.ReplaceAll(one, `"a1"`, `"a`+strings.Repeat("x", i%7)+string(rune('a'+i%26))+`"`))
	}
	sb.WriteString("]}\n")
	frame := sb.String()
	s, _ := newTestSource()
	s.jobs.put(meshJob)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = decodeFrames(strings.NewReader(frame), func() {}, func(f *eventFrame) error {
			s.applyFrame(f, true)
			return nil
		})
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "events/s")
}
