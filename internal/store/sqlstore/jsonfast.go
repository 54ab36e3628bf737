package sqlstore

import "encoding/json"

// The attrs, tags and principals columns hold JSON that mustJSON wrote:
// compact, usually of plain ASCII strings. The decoders below read exactly
// that form without encoding/json and give up (ok false) on anything else
// (whitespace, escapes, non-ASCII, null …), for which the callers fall
// back to json.Unmarshal; on the form they accept, they return what
// json.Unmarshal into a nil map or slice returns.

// jsonString reads a string without escapes or non-ASCII bytes at s[i]
// (the opening quote) and returns it and the index after it.
func jsonString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return s[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20 || c > 0x7e:
			return "", 0, false
		}
	}
	return "", 0, false
}

// jsonStrings reads an array of such strings at s[i] ('[').
func jsonStrings(s string, i int) ([]string, int, bool) {
	if i >= len(s) || s[i] != '[' {
		return nil, 0, false
	}
	out := []string{}
	i++
	if i < len(s) && s[i] == ']' {
		return out, i + 1, true
	}
	for {
		v, j, ok := jsonString(s, i)
		if !ok || j >= len(s) {
			return nil, 0, false
		}
		out = append(out, v)
		switch s[j] {
		case ',':
			i = j + 1
		case ']':
			return out, j + 1, true
		default:
			return nil, 0, false
		}
	}
}

// jsonObject reads an object at s[0] that is all of s, calling value to
// read each member's value at s[i] and return the index after it.
func jsonObject(s string, value func(key string, i int) (int, bool)) bool {
	if len(s) < 2 || s[0] != '{' {
		return false
	}
	if s == "{}" {
		return true
	}
	i := 1
	for {
		k, j, ok := jsonString(s, i)
		if !ok || j >= len(s) || s[j] != ':' {
			return false
		}
		if j, ok = value(k, j+1); !ok || j >= len(s) {
			return false
		}
		switch s[j] {
		case ',':
			i = j + 1
		case '}':
			return j+1 == len(s)
		default:
			return false
		}
	}
}

func decodeTags(s string) (map[string]string, error) {
	m := map[string]string{}
	ok := jsonObject(s, func(k string, i int) (int, bool) {
		v, j, ok := jsonString(s, i)
		m[k] = v
		return j, ok
	})
	if ok {
		return m, nil
	}
	var out map[string]string
	err := json.Unmarshal([]byte(s), &out)
	return out, err
}

func decodeAttrs(s string) (map[string][]string, error) {
	m := map[string][]string{}
	ok := jsonObject(s, func(k string, i int) (int, bool) {
		v, j, ok := jsonStrings(s, i)
		m[k] = v
		return j, ok
	})
	if ok {
		return m, nil
	}
	var out map[string][]string
	err := json.Unmarshal([]byte(s), &out)
	return out, err
}

func decodeStrings(s string) ([]string, error) {
	if v, j, ok := jsonStrings(s, 0); ok && j == len(s) {
		return v, nil
	}
	var out []string
	err := json.Unmarshal([]byte(s), &out)
	return out, err
}
