package apierr

import (
	"encoding/json"
	"net/http"

	"github.com/google/uuid"
)

// Header names of the AWS REST-JSON protocol.
const (
	HeaderErrorType = "X-Amzn-Errortype" // canonical form of x-amzn-ErrorType
	HeaderRequestID = "X-Amzn-Requestid" // canonical form of x-amzn-RequestId
)

// internalMessage is what a client sees for an error that is not an *Error.
const internalMessage = "An internal service error occurred. Try again later."

// body is the JSON error document. "__type" is read by SDKs when the header
// is missing (e.g. behind a proxy that strips it); all of them read "message".
type body struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// Write answers err in the AWS REST-JSON error shape: status, the
// x-amzn-ErrorType header, an x-amzn-RequestId header (a new UUID unless the
// caller set one) and {"__type": code, "message": msg}. An err that is not an
// *Error is answered as a ServiceException with a generic message.
func Write(w http.ResponseWriter, err error) {
	e, ok := As(err)
	if !ok {
		e = Service(internalMessage)
	}
	status := e.Status
	if status == 0 {
		status = Status(e.Code)
	}
	h := w.Header()
	if h.Get(HeaderRequestID) == "" {
		h.Set(HeaderRequestID, uuid.NewString())
	}
	h.Set(HeaderErrorType, e.Code)
	h.Set("Content-Type", "application/json")
	b, mErr := json.Marshal(body{Type: e.Code, Message: e.Message})
	if mErr != nil { // cannot happen for two strings; keep the shape anyway
		b = []byte(`{"__type":"ServiceException","message":"` + internalMessage + `"}`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
