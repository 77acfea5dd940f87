package components

import (
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"backroom/models"
)

// Problem is one field message as a person reads it: the line it is on as the page numbers
// lines (1-based; 0 when it is about no line), the field's bare name (for marking its cell),
// and the sentence, which names the field by its label and never by its JSON path.
type Problem struct {
	Line    int    // 1-based line number; 0 for a field of the record itself
	Field   string // bare field name, e.g. "newSellPrice" ("" for the line as a whole)
	Message string // "New sell price is required" (no line number: shown beside the cell)
}

// String reads "Line 2: New sell price is required", or just the message for no line.
func (p Problem) String() string {
	if p.Line > 0 {
		return "Line " + strconv.Itoa(p.Line) + ": " + p.Message
	}
	return p.Message
}

// Refusal is why a post was refused, for the summary at the top of the record's page: a
// headline and the problems, field by field, in words.
type Refusal struct {
	Message  string
	Problems []Problem
}

// Lines returns the problems of line n (1-based) keyed by bare field name, for marking a row.
func (r Refusal) Lines(n int) Errors {
	var out Errors
	for _, p := range r.Problems {
		if p.Line == n {
			if out == nil {
				out = Errors{}
			}
			out[p.Field] = append(out[p.Field], p.Message)
		}
	}
	return out
}

var linePath = regexp.MustCompile(`^[A-Za-z_]+\[(\d+)\]\.?(.*)$`)

// Problems translates field errors keyed by JSON paths ("items[1].newSellPrice", "item.newSku",
// "reason") into sentences: the field's label from labels (by bare name; an unknown name reads
// as words, "newDepartmentId" as "New department") and the line as the page numbers it,
// 1-based. They come in line order, then by label.
func Problems(errs Errors, labels map[string]string) []Problem {
	var out []Problem
	for path, msgs := range errs {
		line, field := 0, strings.TrimPrefix(path, "item.")
		if m := linePath.FindStringSubmatch(path); m != nil {
			i, _ := strconv.Atoi(m[1])
			line, field = i+1, m[2]
		}
		label := labelOf(field, labels)
		for _, msg := range msgs {
			out = append(out, Problem{Line: line, Field: field, Message: sentence(label, msg)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Message < out[j].Message
	})
	return out
}

// RefusalOf builds the summary of a refused post from err: a validation error's fields become
// Problems (its message, which spells out the JSON paths, is cut to its headline); any other
// error keeps the message a person is told (msg, e.g. server.Message(err)).
func RefusalOf(err error, msg string, labels map[string]string) Refusal {
	var e *models.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return Refusal{Message: msg}
	}
	head := e.Message
	if i := strings.Index(head, "Please correct the highlighted fields"); i >= 0 {
		head = strings.TrimRight(strings.TrimSpace(head[:i]), ":;, ")
	}
	if head == "" {
		head = "Please correct the problems below"
	}
	return Refusal{Message: head + ".", Problems: Problems(Errors(e.Fields), labels)}
}

// Text is the whole refusal in one line, for a flash: "Some lines are incomplete. Line 1: …; Line 2: …".
func (r Refusal) Text() string {
	if len(r.Problems) == 0 {
		return r.Message
	}
	parts := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		parts[i] = p.String()
	}
	return r.Message + " " + strings.Join(parts, "; ")
}

func labelOf(field string, labels map[string]string) string {
	if l, ok := labels[field]; ok {
		return l
	}
	if field == "" {
		return ""
	}
	f := strings.TrimSuffix(field, "Id")
	if f == "" {
		f = field
	}
	var b strings.Builder
	for i, r := range f {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
			r = unicode.ToLower(r)
		}
		if i == 0 {
			r = unicode.ToUpper(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sentence joins a label and a message: "New sell price" + "is required" reads as one sentence,
// any other message follows a colon.
func sentence(label, msg string) string {
	if label == "" {
		return upperFirst(msg)
	}
	for _, w := range []string{"is ", "are ", "must ", "cannot ", "does ", "has ", "should "} {
		if strings.HasPrefix(msg, w) {
			return label + " " + msg
		}
	}
	return label + ": " + msg
}

func upperFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}
