// promql-check: Prometheus' own rule-file validation (model/rulefmt, what `promtool check rules` runs) and its own
// PromQL engine over a throw-away TSDB, so tests can check our PrometheusRule groups and evaluate each alert's
// expression on synthetic series, without building promtool (whose service-discovery plugins pull in every cloud
// SDK). Reads one JSON request on stdin and writes one JSON answer on stdout:
//
//	request: {"rules": "<rule groups YAML: groups: [...]>",
//	          "cases": [{"name": "...", "interval": "1m", "series": ["metric{l=\"v\"} 0+1x60", ...],
//	                     "expr": "<PromQL>", "times": ["30m", "45m"]}]}
//	answer:  {"errors": ["..."], "cases": [{"name": "...", "error": "...", "results": [{"time": "30m",
//	          "series": [{"labels": {...}, "value": 1}]}]}]}
//
// `errors` lists every problem `promtool check rules` would report for `rules`. Series use promtool's and PromQL
// tests' expanding notation (`0+1x60`, `_` for a missing sample); sample i is at i × interval from time 0.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/tsdb"
)

type request struct {
	Rules string     `json:"rules"`
	Cases []evalCase `json:"cases"`
}

type evalCase struct {
	Name     string   `json:"name"`
	Interval string   `json:"interval"`
	Series   []string `json:"series"`
	Expr     string   `json:"expr"`
	Times    []string `json:"times"`
}

type sample struct {
	Labels map[string]string `json:"labels"`
	Value  float64           `json:"value"`
}

type instant struct {
	Time   string   `json:"time"`
	Series []sample `json:"series"`
}

type caseAnswer struct {
	Name    string    `json:"name"`
	Error   string    `json:"error,omitempty"`
	Results []instant `json:"results,omitempty"`
}

type answer struct {
	Errors []string     `json:"errors"`
	Cases  []caseAnswer `json:"cases"`
}

var promParser = parser.NewParser(parser.Options{})

func main() {
	body, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		fail(fmt.Errorf("the request on stdin is not the JSON this tool reads: %w", err))
	}
	out := answer{Errors: []string{}, Cases: []caseAnswer{}}
	if req.Rules != "" {
		// The same call and settings as `promtool check rules` (strict fields, UTF-8 names, default parser).
		_, errs := rulefmt.Parse([]byte(req.Rules), false, model.UTF8Validation, promParser, promslog.NewNopLogger())
		for _, e := range errs {
			out.Errors = append(out.Errors, e.Error())
		}
	}
	for _, c := range req.Cases {
		res, err := evaluate(c)
		a := caseAnswer{Name: c.Name, Results: res}
		if err != nil {
			a.Error = err.Error()
		}
		out.Cases = append(out.Cases, a)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

func evaluate(c evalCase) ([]instant, error) {
	interval, err := model.ParseDuration(c.Interval)
	if err != nil {
		return nil, fmt.Errorf("case %q: interval %q: %w", c.Name, c.Interval, err)
	}
	dir, err := os.MkdirTemp("", "promql-check-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	opts := tsdb.DefaultOptions()
	opts.RetentionDuration = 0
	db, err := tsdb.Open(dir, promslog.NewNopLogger(), nil, opts, nil)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ctx := context.Background()
	app := db.Appender(ctx)
	for _, line := range c.Series {
		lbls, values, err := promParser.ParseSeriesDesc(line)
		if err != nil {
			return nil, fmt.Errorf("case %q: series %q: %w", c.Name, line, err)
		}
		for i, v := range values {
			if v.Omitted {
				continue
			}
			ts := int64(i) * time.Duration(interval).Milliseconds()
			if _, err := app.Append(0, lbls, ts, v.Value); err != nil {
				return nil, fmt.Errorf("case %q: series %q: %w", c.Name, line, err)
			}
		}
	}
	if err := app.Commit(); err != nil {
		return nil, err
	}
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 1_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute, Parser: promParser})
	var results []instant
	for _, at := range c.Times {
		d, err := model.ParseDuration(at)
		if err != nil {
			return nil, fmt.Errorf("case %q: time %q: %w", c.Name, at, err)
		}
		q, err := engine.NewInstantQuery(ctx, db, nil, c.Expr, time.UnixMilli(time.Duration(d).Milliseconds()))
		if err != nil {
			return nil, fmt.Errorf("case %q: expr %q: %w", c.Name, c.Expr, err)
		}
		r := q.Exec(ctx)
		if r.Err != nil {
			return nil, fmt.Errorf("case %q: expr %q at %s: %w", c.Name, c.Expr, at, r.Err)
		}
		vec, err := r.Vector()
		if err != nil {
			return nil, fmt.Errorf("case %q: expr %q is not an instant vector: %w", c.Name, c.Expr, err)
		}
		inst := instant{Time: at, Series: []sample{}}
		for _, s := range vec {
			inst.Series = append(inst.Series, sample{Labels: s.Metric.Map(), Value: s.F})
		}
		results = append(results, inst)
		q.Close()
	}
	return results, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "promql-check:", err)
	os.Exit(2)
}
