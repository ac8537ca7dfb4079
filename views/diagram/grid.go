package diagram

import "math"

// Graphviz's dot stacks unconnected boxes in one column, which turns a busy
// host (or a cluster of many hosts) into a tall ribbon. Invisible edges
// from each box to the box rows further on arrange them in a grid instead,
// roughly as wide as tall.

// nsAspect is how many namespace boxes stacked match one side by side
// (a namespace is about three times as wide as tall).
const nsAspect = 0.6

// hostAspect is the same for host boxes, which are closer to square.
const hostAspect = 1.0

// gridRows returns how many boxes go in a column for n boxes.
func gridRows(n int, aspect float64) int {
	if n <= 1 {
		return max(n, 1)
	}
	cols := max(1, int(math.Round(aspect*math.Sqrt(float64(n)))))
	return (n + cols - 1) / cols
}

// span is the first and last node of a box, in traffic order.
type span struct{ first, last string }

// grid chains box i to box i+rows with an invisible edge, so box i+rows is
// laid out one column to the right.
func (b *builder) grid(boxes []span, aspect float64) {
	rows := gridRows(len(boxes), aspect)
	for i := 0; i+rows < len(boxes); i++ {
		b.invis = append(b.invis, [2]string{boxes[i].last, boxes[i+rows].first})
	}
}
