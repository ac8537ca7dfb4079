package export

// Standalone exposes the SVG file writer to the tests of hostile input.
var Standalone = standalone
