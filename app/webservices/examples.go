package webservices

import (
	"encoding/json"
	"fmt"
	"strings"

	views "backroom/views/webservices"
)

// KeyPlaceholder stands for the caller's key in the examples: keys are shown once, when made.
const KeyPlaceholder = "YOUR_API_KEY"

// request is one example call.
type request struct {
	method string
	url    string
	body   string // JSON, or "" for a GET
	idem   bool   // sends an Idempotency-Key
}

// Examples builds the ready-to-run requests of the settings page for base (scheme://host), with a
// real tender code, product SKU and date so the sale example works as it is.
func Examples(base, tender, sku, barcode, day string) []views.Service {
	body := map[string]any{
		"paymentMethodId": tender,
		"customer":        map[string]string{"name": "Jane Doe", "email": "jane@example.com", "phone": "555-0199"},
		"items": []map[string]any{
			{"sku": sku, "quantity": 2},
			{"barcode": barcode, "quantity": 1.5, "unitPrice": 499},
		},
	}
	b, _ := json.MarshalIndent(body, "", "  ")
	return []views.Service{
		{
			ID: "ws-sale", Title: "Record a sale", Method: "POST", Path: BasePath + "/sales", Scope: "sales.write",
			About:    "Records a sale made in your own shop or tool at the key's store (the key needs a store). Items name a product by productId, sku or barcode; quantity is units with up to 3 decimals; unitPrice is in cents and defaults to the store's price. Taxes and totals follow Backroom's rules, stock moves and sale webhooks fire. Optional: userId (cashier), customerId, or customer {name, email, phone} (matched by email, or by phone when there is no email, else created), date (unix seconds). Answers 201 with the sale.",
			Snippets: snippets(request{method: "POST", url: base + BasePath + "/sales", body: string(b), idem: true}),
		},
		{
			ID: "ws-report", Title: "Download a day's sales", Method: "GET", Path: BasePath + "/reports/sales?date=YYYY-MM-DD&format=html|pdf|csv|xml|xlsx", Scope: "reports.read",
			About:    "One row per sale of that day (in the store's time zone) with receipt number, time, status, items, subtotal, discount, tax, total and tenders, and a totals row (voided sales are listed but not counted). A key without a store gets every store, with a store column. The XML root element is <salesReport date=… store=…> with <sale> elements and one <totals>.",
			Snippets: snippets(request{method: "GET", url: base + BasePath + "/reports/sales?date=" + day + "&format=csv"}),
		},
		{
			ID: "ws-catalog", Title: "Download the catalogue", Method: "GET", Path: BasePath + "/catalog/{products|departments|customers|suppliers}?format=csv|html|json", Scope: "catalog.read",
			About:    "Active products (id, sku, barcode, name, department, price at the key's store, tax group — never the cost price), departments with their parent, customers and suppliers. JSON answers use the usual envelope {\"success\": true, \"data\": […], \"total\": n}; prices in JSON are cents, in CSV and HTML decimals.",
			Snippets: snippets(request{method: "GET", url: base + BasePath + "/catalog/products?format=json"}),
		},
	}
}

func snippets(r request) []views.Snippet {
	return []views.Snippet{
		{Lang: "curl", Code: curlSnippet(r)},
		{Lang: "Go", Code: goSnippet(r)},
		{Lang: "Node.js", Code: nodeSnippet(r)},
		{Lang: "PHP", Code: phpSnippet(r)},
	}
}

func curlSnippet(r request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl -sS -X %s '%s' \\\n  -H 'X-Api-Key: %s'", r.method, r.url, KeyPlaceholder)
	if r.body != "" {
		b.WriteString(" \\\n  -H 'Content-Type: application/json'")
		if r.idem {
			b.WriteString(" \\\n  -H \"Idempotency-Key: $(uuidgen)\"")
		}
		fmt.Fprintf(&b, " \\\n  --data-binary @- <<'JSON'\n%s\nJSON", r.body)
	} else {
		b.WriteString(" \\\n  -OJ")
	}
	return b.String()
}

func goSnippet(r request) string {
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n\t\"fmt\"\n\t\"io\"\n\t\"net/http\"\n\t\"os\"\n")
	if r.body != "" {
		b.WriteString("\t\"strings\"\n")
	}
	b.WriteString(")\n\nfunc main() {\n")
	if r.body != "" {
		fmt.Fprintf(&b, "\tbody := `%s`\n", r.body)
		fmt.Fprintf(&b, "\treq, _ := http.NewRequest(%q, %q, strings.NewReader(body))\n", r.method, r.url)
		b.WriteString("\treq.Header.Set(\"Content-Type\", \"application/json\")\n")
		if r.idem {
			b.WriteString("\t// The same key on a retry answers the first sale instead of recording another.\n")
			b.WriteString("\treq.Header.Set(\"Idempotency-Key\", \"order-1001\")\n")
		}
	} else {
		fmt.Fprintf(&b, "\treq, _ := http.NewRequest(%q, %q, nil)\n", r.method, r.url)
	}
	fmt.Fprintf(&b, "\treq.Header.Set(\"X-Api-Key\", %q)\n", KeyPlaceholder)
	b.WriteString("\tres, err := http.DefaultClient.Do(req)\n\tif err != nil {\n\t\tpanic(err)\n\t}\n\tdefer res.Body.Close()\n")
	b.WriteString("\tfmt.Fprintln(os.Stderr, res.Status)\n\tio.Copy(os.Stdout, res.Body)\n}")
	return b.String()
}

func nodeSnippet(r request) string {
	var b strings.Builder
	b.WriteString("// Node.js 18 or later (built-in fetch)\n")
	fmt.Fprintf(&b, "const res = await fetch(%q, {\n  method: %q,\n  headers: {\n    'X-Api-Key': '%s',\n", r.url, r.method, KeyPlaceholder)
	if r.body != "" {
		b.WriteString("    'Content-Type': 'application/json',\n")
		if r.idem {
			b.WriteString("    'Idempotency-Key': 'order-1001', // a retry with this key answers the first sale\n")
		}
		b.WriteString("  },\n")
		fmt.Fprintf(&b, "  body: JSON.stringify(%s),\n});\n", strings.ReplaceAll(r.body, "\n", "\n  "))
		b.WriteString("console.log(res.status, await res.json());")
	} else {
		b.WriteString("  },\n});\n")
		b.WriteString("console.log(res.status, res.headers.get('content-disposition'));\nconsole.log(await res.text());")
	}
	return b.String()
}

func phpSnippet(r request) string {
	var b strings.Builder
	b.WriteString("<?php\n")
	fmt.Fprintf(&b, "$ch = curl_init('%s');\n", r.url)
	headers := []string{"'X-Api-Key: " + KeyPlaceholder + "'"}
	if r.body != "" {
		headers = append(headers, "'Content-Type: application/json'")
		if r.idem {
			headers = append(headers, "'Idempotency-Key: order-1001'")
		}
		fmt.Fprintf(&b, "$body = <<<'JSON'\n%s\nJSON;\n", r.body)
		b.WriteString("curl_setopt($ch, CURLOPT_POST, true);\ncurl_setopt($ch, CURLOPT_POSTFIELDS, $body);\n")
	}
	fmt.Fprintf(&b, "curl_setopt($ch, CURLOPT_HTTPHEADER, [%s]);\n", strings.Join(headers, ", "))
	b.WriteString("curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);\n$response = curl_exec($ch);\n")
	b.WriteString("echo curl_getinfo($ch, CURLINFO_HTTP_CODE), \"\\n\", $response;\ncurl_close($ch);")
	return b.String()
}
