package catalog

import "strings"

// CheckBarcode says what is wrong with a barcode, or "" when it is acceptable: letters and
// digits only, at most 100 characters, and a correct check digit when it is a 12-digit UPC-A
// or a 13-digit EAN-13 (a mistyped digit there would sell the wrong item at the till).
func CheckBarcode(code string) string {
	if code == "" {
		return "is required"
	}
	if len(code) > 100 {
		return "must be at most 100 characters"
	}
	digits := true
	for _, r := range code {
		switch {
		case r >= '0' && r <= '9':
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
			digits = false
		default:
			return "may contain only letters and digits"
		}
	}
	if digits && (len(code) == 12 || len(code) == 13) {
		if CheckDigit(code[:len(code)-1]) != code[len(code)-1] {
			kind := "EAN-13"
			if len(code) == 12 {
				kind = "UPC-A"
			}
			return "has a wrong check digit for an " + kind + " barcode"
		}
	}
	return ""
}

// CheckDigit computes the GS1 check digit (EAN-8/UPC-A/EAN-13) for the digits before it:
// weights 3 and 1 alternate from the rightmost digit.
func CheckDigit(body string) byte {
	sum := 0
	for i := 0; i < len(body); i++ {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// EAN13 completes a 12-digit body with its check digit.
func EAN13(body string) string { return body + string(CheckDigit(body)) }

// normaliseBarcode trims spaces; blank is no barcode.
func normaliseBarcode(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	if t == "" {
		return nil
	}
	return &t
}
