package screening

import (
	"fmt"
	"reflect"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
	"cel.dev/cel-go/parser"

	"holdspace/catalogue"
)

// CostLimit bounds the runtime cost of one rule condition. Conditions over
// a questionnaire's answers cost tens of units; the limit stops a custom
// pack from burning CPU.
const CostLimit = 10000

// answersTypeName is the CEL object type of the `answers` variable.
const answersTypeName = "holdspace.screening.Answers"

// The CEL environment a rule condition is checked and run in:
//
//	answers            object with one field per item (linkId with '-' → '_'):
//	                   bool, string (choice, text), timestamp (date, UTC
//	                   midnight), list(string) (regions). An unanswered item
//	                   reads as false, "", 1970-01-01 or []; has(answers.x)
//	                   tells whether it was answered. Unknown fields do not
//	                   compile.
//	anatomy.prostate   bool (also anatomy.vagina, anatomy.breasts)
//	age                int, whole years at the time of evaluation, -1 when
//	                   the birth date is unknown
//	today              timestamp, UTC midnight of the day of evaluation
//	days_between(a, b) int, whole days from a to b
//	days_since(x)      macro for days_between(x, today)
//	weeks_since(x)     macro for days_between(x, today) / 7

// answerField describes one item as a CEL field.
type answerField struct {
	linkID string
	typ    ItemType
}

// answersProvider adds the answers object type of one questionnaire to a
// base type registry.
type answersProvider struct {
	types.Provider
	objType *types.Type
	names   []string
	fields  map[string]*types.FieldType
}

func newAnswersProvider(q *Questionnaire) (*answersProvider, error) {
	reg, err := types.NewRegistry()
	if err != nil {
		return nil, err
	}
	p := &answersProvider{Provider: reg, objType: types.NewObjectType(answersTypeName),
		fields: make(map[string]*types.FieldType, len(q.Items))}
	for i := range q.Items {
		it := &q.Items[i]
		var t *types.Type
		switch it.Type {
		case TypeBoolean:
			t = types.BoolType
		case TypeChoice, TypeText:
			t = types.StringType
		case TypeDate:
			t = types.TimestampType
		case TypeRegions:
			t = types.NewListType(types.StringType)
		default:
			return nil, fmt.Errorf("item %s: type %q has no CEL type", it.LinkID, it.Type)
		}
		f := answerField{linkID: it.LinkID, typ: it.Type}
		p.names = append(p.names, it.CELName())
		p.fields[it.CELName()] = &types.FieldType{
			Type: t,
			IsSet: func(target any) bool {
				av, ok := target.(*answersValue)
				if !ok {
					return false
				}
				_, set := av.a[f.linkID]
				return set
			},
			GetFrom: func(target any) (any, error) {
				av, ok := target.(*answersValue)
				if !ok {
					return nil, fmt.Errorf("answers: unexpected value %T", target)
				}
				return av.field(f), nil
			},
		}
	}
	return p, nil
}

// FindStructType implements types.Provider.
func (p *answersProvider) FindStructType(name string) (*types.Type, bool) {
	if name == answersTypeName {
		return types.NewTypeTypeWithParam(p.objType), true
	}
	return p.Provider.FindStructType(name)
}

// FindStructFieldNames implements types.Provider.
func (p *answersProvider) FindStructFieldNames(name string) ([]string, bool) {
	if name == answersTypeName {
		return p.names, true
	}
	return p.Provider.FindStructFieldNames(name)
}

// FindStructFieldType implements types.Provider.
func (p *answersProvider) FindStructFieldType(name, field string) (*types.FieldType, bool) {
	if name == answersTypeName {
		ft, ok := p.fields[field]
		return ft, ok
	}
	return p.Provider.FindStructFieldType(name, field)
}

// NewValue implements types.Provider. Rules cannot construct answers.
func (p *answersProvider) NewValue(name string, fields map[string]ref.Val) ref.Val {
	if name == answersTypeName {
		return types.NewErr("answers cannot be constructed in a rule")
	}
	return p.Provider.NewValue(name, fields)
}

// answersValue is the runtime value of `answers`.
type answersValue struct {
	a       Answers
	objType *types.Type
}

var epoch = types.Timestamp{Time: time.Unix(0, 0).UTC()}

func (v *answersValue) field(f answerField) ref.Val {
	raw, ok := v.a[f.linkID]
	switch f.typ {
	case TypeBoolean:
		b, _ := raw.(bool)
		return types.Bool(b)
	case TypeChoice, TypeText:
		s, _ := raw.(string)
		return types.String(s)
	case TypeDate:
		d, isDate := raw.(Date)
		if !ok || !isDate {
			return epoch
		}
		return types.Timestamp{Time: d.Time()}
	case TypeRegions:
		rs, _ := raw.([]string)
		return types.NewStringList(types.DefaultTypeAdapter, rs)
	}
	return types.NewErr("answers: unknown item type %q", f.typ)
}

// ConvertToNative implements ref.Val.
func (v *answersValue) ConvertToNative(t reflect.Type) (any, error) {
	return nil, fmt.Errorf("answers cannot be converted to %v", t)
}

// ConvertToType implements ref.Val.
func (v *answersValue) ConvertToType(t ref.Type) ref.Val {
	if t == types.TypeType {
		return v.objType
	}
	return types.NewErr("answers cannot be converted to %v", t)
}

// Equal implements ref.Val: answers are only equal to themselves.
func (v *answersValue) Equal(o ref.Val) ref.Val { return types.Bool(o == ref.Val(v)) }

// Type implements ref.Val.
func (v *answersValue) Type() ref.Type { return v.objType }

// Value implements ref.Val.
func (v *answersValue) Value() any { return v }

// activation resolves the variables of one evaluation without maps.
type activation struct {
	answers                   *answersValue
	today                     types.Timestamp
	age                       types.Int
	prostate, vagina, breasts types.Bool
}

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "answers":
		return a.answers, true
	case "today":
		return a.today, true
	case "age":
		return a.age, true
	case "anatomy.prostate":
		return a.prostate, true
	case "anatomy.vagina":
		return a.vagina, true
	case "anatomy.breasts":
		return a.breasts, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// Subject is what a rule may know about the client besides the answers.
type Subject struct {
	Anatomy catalogue.Anatomy
	// BirthDate may be zero when unknown (age reads -1).
	BirthDate time.Time
}

// ageAt returns whole years from birth to at, or -1 for a zero birth date.
func ageAt(birth, at time.Time) int {
	if birth.IsZero() {
		return -1
	}
	b, t := DateOf(birth), DateOf(at)
	age := t.Year - b.Year
	if t.Month < b.Month || (t.Month == b.Month && t.Day < b.Day) {
		age--
	}
	return age
}

func newActivation(p *answersProvider, a Answers, s Subject, at time.Time) *activation {
	return &activation{
		answers:  &answersValue{a: a, objType: p.objType},
		today:    types.Timestamp{Time: DateOf(at).Time()},
		age:      types.Int(ageAt(s.BirthDate, at)),
		prostate: types.Bool(s.Anatomy.Prostate),
		vagina:   types.Bool(s.Anatomy.Vagina),
		breasts:  types.Bool(s.Anatomy.Breasts),
	}
}

// daysBetween returns whole civil days from a to b (both taken at their UTC
// day).
func daysBetween(a, b time.Time) int64 {
	da, db := DateOf(a.UTC()).Time(), DateOf(b.UTC()).Time()
	return int64(db.Sub(da).Hours() / 24)
}

func sinceMacro(name string, divisor int64) cel.Macro {
	return cel.GlobalMacro(name, 1, func(eh parser.ExprHelper, _ ast.Expr, args []ast.Expr) (ast.Expr, *cel.Error) {
		call := eh.NewCall("days_between", args[0], eh.NewIdent("today"))
		if divisor == 1 {
			return call, nil
		}
		return eh.NewCall("_/_", call, eh.NewLiteral(types.Int(divisor))), nil
	})
}

// newEnv returns the CEL environment for rules over q's answers.
func newEnv(q *Questionnaire) (*cel.Env, *answersProvider, error) {
	p, err := newAnswersProvider(q)
	if err != nil {
		return nil, nil, err
	}
	env, err := cel.NewEnv(
		cel.CustomTypeProvider(p),
		cel.Variable("answers", p.objType),
		cel.Variable("anatomy.prostate", cel.BoolType),
		cel.Variable("anatomy.vagina", cel.BoolType),
		cel.Variable("anatomy.breasts", cel.BoolType),
		cel.Variable("age", cel.IntType),
		cel.Variable("today", cel.TimestampType),
		cel.Function("days_between",
			cel.Overload("days_between_timestamp_timestamp",
				[]*cel.Type{cel.TimestampType, cel.TimestampType}, cel.IntType,
				cel.BinaryBinding(func(a, b ref.Val) ref.Val {
					ta, ok1 := a.(types.Timestamp)
					tb, ok2 := b.(types.Timestamp)
					if !ok1 || !ok2 {
						return types.NewErr("days_between: want two timestamps")
					}
					return types.Int(daysBetween(ta.Time, tb.Time))
				}))),
		cel.Macros(sinceMacro("days_since", 1), sinceMacro("weeks_since", 7)),
	)
	if err != nil {
		return nil, nil, err
	}
	return env, p, nil
}
