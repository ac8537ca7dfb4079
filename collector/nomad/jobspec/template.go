package jobspec

import (
	"cmp"
	"iter"
	"regexp"
	"strings"
	"text/template/parse"

	"github.com/netviz/netviz/collector/model"
)

// Template functions that query a service registry, and the provider each
// asks. nomadService/nomadServices are Nomad's; service, services and connect
// are consul-template's.
var templateServiceFuncs = map[string]model.RefKind{
	"nomadService":  model.RefNomadService,
	"nomadServices": model.RefNomadService,
	"service":       model.RefConsulService,
	"connect":       model.RefConsulService,
	"services":      model.RefConsulService,
}

// TemplateRefs finds the services a template's text asks for. It parses
// the text with Go's template parser (without knowing the functions), walks
// every pipeline — range, with, if, assignments, parenthesised arguments — and
// records each registry query:
//
//	nomadService "redis", nomadService "tag.redis@region", nomadService 2 $key "redis"
//	service "redis", service "tag.redis@dc1" "passing", connect "redis"
//	nomadServices, services (Target "*": every service)
//
// Target is the service name alone (tag and datacenter stripped); Text is the
// query as written. A query whose name is not a literal (a variable) is
// skipped. Text that does not parse as a template is scanned action by
// action. Nomad variables named inside the text (e.g. {{ env
// "NOMAD_UPSTREAM_ADDR_redis" }}) count too, as with EnvRefs. Source is
// "template:"+destination. The result is sorted and deduplicated.
//
// leftDelim and rightDelim are the template block's left_delimiter and
// right_delimiter ("" for the default "{{" and "}}"): with `[[` and `]]`,
// `[[ service "redis" ]]` is a query and `{{ service "redis" }}` plain text.
func TemplateRefs(destination, data, leftDelim, rightDelim string) []model.Ref {
	source := "template:" + destination
	out := appendEnvRefs([]model.Ref{}, source, data)
	if tree, err := parseTemplate(data, leftDelim, rightDelim); err == nil {
		out = walkNode(out, source, tree.Root)
	} else {
		out = scanActions(out, source, data, leftDelim, rightDelim)
	}
	return sortRefs(out)
}

// parseTemplate parses text without a function table, so consul-template's
// and Nomad's functions need not be declared.
func parseTemplate(text, leftDelim, rightDelim string) (*parse.Tree, error) {
	t := parse.New("t")
	t.Mode = parse.SkipFuncCheck
	treeSet := map[string]*parse.Tree{}
	if _, err := t.Parse(text, leftDelim, rightDelim, treeSet); err != nil {
		return nil, err
	}
	return t, nil
}

// walkNode collects registry queries from every pipeline under n.
func walkNode(out []model.Ref, source string, n parse.Node) []model.Ref {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return out
		}
		for _, c := range n.Nodes {
			out = walkNode(out, source, c)
		}
	case *parse.ActionNode:
		out = walkNode(out, source, n.Pipe)
	case *parse.RangeNode:
		out = walkBranch(out, source, &n.BranchNode)
	case *parse.IfNode:
		out = walkBranch(out, source, &n.BranchNode)
	case *parse.WithNode:
		out = walkBranch(out, source, &n.BranchNode)
	case *parse.TemplateNode:
		out = walkNode(out, source, n.Pipe)
	case *parse.PipeNode:
		if n == nil {
			return out
		}
		for _, c := range n.Cmds {
			out = walkNode(out, source, c)
		}
	case *parse.CommandNode:
		if r, ok := commandRef(source, n); ok {
			out = append(out, r)
		}
		for _, a := range n.Args {
			out = walkNode(out, source, a)
		}
	}
	return out
}

func walkBranch(out []model.Ref, source string, b *parse.BranchNode) []model.Ref {
	out = walkNode(out, source, b.Pipe)
	out = walkNode(out, source, b.List)
	return walkNode(out, source, b.ElseList)
}

// commandRef reads one command such as `nomadService "redis"`.
func commandRef(source string, c *parse.CommandNode) (model.Ref, bool) {
	if len(c.Args) == 0 {
		return model.Ref{}, false
	}
	fn, ok := c.Args[0].(*parse.IdentifierNode)
	if !ok {
		return model.Ref{}, false
	}
	kind, ok := templateServiceFuncs[fn.Ident]
	if !ok {
		return model.Ref{}, false
	}
	var names []string
	for _, a := range c.Args[1:] {
		if s, ok := a.(*parse.StringNode); ok {
			names = append(names, s.Text)
		} else {
			names = append(names, "")
		}
	}
	return registryRef(source, kind, fn.Ident, names, c.String())
}

// registryRef turns a function and its arguments ("" for a non-literal) into
// a reference. The service argument is the last for nomadService (its
// three-argument form picks a subset: count, key, name) and the first for
// consul-template's service and connect (the second is a health filter).
func registryRef(source string, kind model.RefKind, fn string, args []string, text string) (model.Ref, bool) {
	if fn == "nomadServices" || fn == "services" {
		return model.Ref{Kind: kind, Target: model.Wildcard, Source: source, Text: text}, true
	}
	if len(args) == 0 {
		return model.Ref{}, false
	}
	query := args[0]
	if fn == "nomadService" {
		query = args[len(args)-1]
	}
	name := serviceNameOfQuery(query)
	if name == "" {
		return model.Ref{}, false
	}
	return model.Ref{Kind: kind, Target: name, Source: source, Text: text}, true
}

// serviceNameOfQuery strips the tag, datacenter/region and "near" parts of a
// registry query: "tag.redis@dc1~node" → "redis". Service names carry no dots
// in this syntax, so the tag is everything up to the last dot.
func serviceNameOfQuery(q string) string {
	q, _, _ = strings.Cut(q, "@")
	q, _, _ = strings.Cut(q, "~")
	if i := strings.LastIndexByte(q, '.'); i >= 0 {
		q = q[i+1:]
	}
	return strings.TrimSpace(q)
}

// Fallback for text that is not a valid template (half-written, say): the
// text of each action between the delimiters is scanned with a pattern for
// the query forms.
var (
	queryPattern = regexp.MustCompile(`\b(nomadServices|nomadService|services|service|connect)\b((?:\s+(?:"[^"]*"|` + "`[^`]*`" + `|[0-9]+|\$[A-Za-z0-9_]*))*)`)
	argPattern   = regexp.MustCompile(`"[^"]*"|` + "`[^`]*`" + `|[0-9]+|\$[A-Za-z0-9_]*`)
)

// actions yields the inside of each action in data: the text from a left
// delimiter to the next right one ("" means Go's default, "{{" and "}}").
// The delimiters are literal text, whatever characters they hold.
func actions(data, leftDelim, rightDelim string) iter.Seq[string] {
	leftDelim = cmp.Or(leftDelim, "{{")
	rightDelim = cmp.Or(rightDelim, "}}")
	return func(yield func(string) bool) {
		for {
			_, rest, ok := strings.Cut(data, leftDelim)
			if !ok {
				return
			}
			inside, after, ok := strings.Cut(rest, rightDelim)
			if !ok || !yield(inside) {
				return
			}
			data = after
		}
	}
}

func scanActions(out []model.Ref, source, data, leftDelim, rightDelim string) []model.Ref {
	for action := range actions(data, leftDelim, rightDelim) {
		for _, m := range queryPattern.FindAllStringSubmatch(action, -1) {
			fn := m[1]
			var args []string
			for _, a := range argPattern.FindAllString(m[2], -1) {
				if len(a) >= 2 && (a[0] == '"' || a[0] == '`') {
					args = append(args, a[1:len(a)-1])
				} else {
					args = append(args, "")
				}
			}
			if r, ok := registryRef(source, templateServiceFuncs[fn], fn, args, strings.TrimSpace(m[0])); ok {
				out = append(out, r)
			}
		}
	}
	return out
}
