package apierr

// One constructor per error code. Each takes a fmt format and arguments for
// the client-facing message.

// Service is a ServiceException (500): an unrecoverable internal error.
func Service(format string, args ...any) *Error { return New(CodeServiceException, format, args...) }

// ServiceUnavailable is a ServiceUnavailableException (503).
func ServiceUnavailable(format string, args ...any) *Error {
	return New(CodeServiceUnavailableException, format, args...)
}

// Client is a ClientException (400): a generic client-side error.
func Client(format string, args ...any) *Error { return New(CodeClientException, format, args...) }

// InvalidRequest is an InvalidRequestException (400).
func InvalidRequest(format string, args ...any) *Error {
	return New(CodeInvalidRequestException, format, args...)
}

// InvalidParameter is an InvalidParameterException (400), used by the tag
// operations.
func InvalidParameter(format string, args ...any) *Error {
	return New(CodeInvalidParameterException, format, args...)
}

// InvalidParameterValue is an InvalidParameterValueException (400).
func InvalidParameterValue(format string, args ...any) *Error {
	return New(CodeInvalidParameterValueException, format, args...)
}

// InvalidParameterPattern is the InvalidParameterValueException AWS answers
// when a member fails its model pattern, worded as AWS words it.
func InvalidParameterPattern(param, pattern string) *Error {
	return InvalidParameterValue("The value supplied for parameter '%s' is not valid. '%s' must match pattern %s",
		param, param, pattern)
}

// InvalidParameterCombination is an InvalidParameterCombinationException (400).
func InvalidParameterCombination(format string, args ...any) *Error {
	return New(CodeInvalidParameterCombinationException, format, args...)
}

// InvalidVersionNumber is an InvalidVersionNumberException (400).
func InvalidVersionNumber(format string, args ...any) *Error {
	return New(CodeInvalidVersionNumberException, format, args...)
}

// InvalidPaginationToken is an InvalidPaginationTokenException (400).
func InvalidPaginationToken(format string, args ...any) *Error {
	return New(CodeInvalidPaginationTokenException, format, args...)
}

// IdempotentParameterMismatch is an IdempotentParameterMismatchException (400).
func IdempotentParameterMismatch(format string, args ...any) *Error {
	return New(CodeIdempotentParameterMismatchException, format, args...)
}

// ResourceAlreadyExists is a ResourceAlreadyExistsException (400).
func ResourceAlreadyExists(format string, args ...any) *Error {
	return New(CodeResourceAlreadyExistsException, format, args...)
}

// AlreadyExists is the ResourceAlreadyExistsException in AWS's wording, for a
// resource type such as "ImageRecipe" and the ARN that already exists.
func AlreadyExists(resourceType, arn string) *Error {
	return ResourceAlreadyExists("The following resource '%s' already exists: '%s'.", resourceType, arn)
}

// ResourceInUse is a ResourceInUseException (400).
func ResourceInUse(format string, args ...any) *Error {
	return New(CodeResourceInUseException, format, args...)
}

// ResourceDependency is a ResourceDependencyException (400).
func ResourceDependency(format string, args ...any) *Error {
	return New(CodeResourceDependencyException, format, args...)
}

// ResourceNotFound is a ResourceNotFoundException (404).
func ResourceNotFound(format string, args ...any) *Error {
	return New(CodeResourceNotFoundException, format, args...)
}

// NotFound is the ResourceNotFoundException for an ARN.
func NotFound(arn string) *Error {
	return ResourceNotFound("The resource '%s' does not exist.", arn)
}

// Forbidden is a ForbiddenException (403).
func Forbidden(format string, args ...any) *Error {
	return New(CodeForbiddenException, format, args...)
}

// AccessDenied is an AccessDeniedException (403).
func AccessDenied(format string, args ...any) *Error {
	return New(CodeAccessDeniedException, format, args...)
}

// CallRateLimitExceeded is a CallRateLimitExceededException (429).
func CallRateLimitExceeded(format string, args ...any) *Error {
	return New(CodeCallRateLimitExceededException, format, args...)
}

// TooManyRequests is a TooManyRequestsException (429).
func TooManyRequests(format string, args ...any) *Error {
	return New(CodeTooManyRequestsException, format, args...)
}

// ServiceQuotaExceeded is a ServiceQuotaExceededException (402).
func ServiceQuotaExceeded(format string, args ...any) *Error {
	return New(CodeServiceQuotaExceededException, format, args...)
}

// DryRunOperation is a DryRunOperationException (412): the dry run's
// validation succeeded.
func DryRunOperation(format string, args ...any) *Error {
	return New(CodeDryRunOperationException, format, args...)
}

// MissingAuthenticationToken is a MissingAuthenticationTokenException (403):
// the request is not signed at all.
func MissingAuthenticationToken(format string, args ...any) *Error {
	return New(CodeMissingAuthenticationTokenException, format, args...)
}

// UnrecognizedClient is an UnrecognizedClientException (403): unknown or
// inactive access key.
func UnrecognizedClient(format string, args ...any) *Error {
	return New(CodeUnrecognizedClientException, format, args...)
}

// InvalidSignature is an InvalidSignatureException (403): the signature does
// not match, is expired, or is scoped wrongly.
func InvalidSignature(format string, args ...any) *Error {
	return New(CodeInvalidSignatureException, format, args...)
}

// IncompleteSignature is an IncompleteSignatureException (403): the signature
// is malformed or lacks a part.
func IncompleteSignature(format string, args ...any) *Error {
	return New(CodeIncompleteSignatureException, format, args...)
}

// Serialization is a SerializationException (400): the request body cannot
// be decoded.
func Serialization(format string, args ...any) *Error {
	return New(CodeSerializationException, format, args...)
}
