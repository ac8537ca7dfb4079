package nomad

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// droppedText is what Nomad writes into an event stream, as plain text,
// before closing it, when the subscriber's next event has left the broker's
// buffer (docs/nomad-behaviour.md).
const droppedText = "event dropped from buffer"

// nomadTextError is plain text Nomad wrote into the stream instead of a
// frame: an error in Nomad's own words.
type nomadTextError struct{ text string }

func (e *nomadTextError) Error() string { return "Nomad said: " + e.text }

// dropped reports whether Nomad ended the stream because the subscriber fell
// behind a burst: a reason to catch up, not an outage.
func (e *nomadTextError) dropped() bool { return strings.Contains(e.text, droppedText) }

// isDropped reports whether err is Nomad's "event dropped from buffer".
func isDropped(err error) bool {
	var te *nomadTextError
	return errors.As(err, &te) && te.dropped()
}

// maxNomadText bounds how much of Nomad's plain text an error keeps.
const maxNomadText = 200

// decodeFrames reads newline-delimited event frames from r. It calls beat
// for every frame, heartbeats ({}) included, and fn for each frame with
// events, until r ends or fn fails. Text that is not JSON is returned as a
// *nomadTextError holding what Nomad wrote.
func decodeFrames(r io.Reader, beat func(), fn func(*eventFrame) error) error {
	dec := json.NewDecoder(r)
	for {
		var f eventFrame
		if err := dec.Decode(&f); err != nil {
			if errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			var syn *json.SyntaxError
			if errors.As(err, &syn) {
				if text := readText(io.MultiReader(dec.Buffered(), r)); text != "" {
					return &nomadTextError{text: text}
				}
			}
			return fmt.Errorf("decode event frame: %w", err)
		}
		beat()
		if f.Index == 0 && len(f.Events) == 0 {
			continue // heartbeat
		}
		if err := fn(&f); err != nil {
			return err
		}
	}
}

// readText returns the first non-blank line of what is left in the stream,
// trimmed and bounded: the message Nomad wrote instead of a frame. What is
// left starts with the newline that ended the frame before it.
func readText(r io.Reader) string {
	br := bufio.NewReader(io.LimitReader(r, maxNomadText))
	for {
		line, err := br.ReadString('\n')
		if text := strings.TrimSpace(line); text != "" || err != nil {
			return text
		}
	}
}
