import { AwsServiceError } from '../aws-json-server';

/**
 * The errors the emulator answers with, under Secrets Manager's own error codes (the SDK maps each code to
 * its exception class, `ResourceNotFoundException` and so on). Messages follow AWS's where they are known
 * and never carry a secret value.
 */

/** `ResourceNotFoundException`: no secret by that id, or no version by that id or label. */
export function resourceNotFound(
  message = "Secrets Manager can't find the specified secret.",
): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', message);
}

/** `InvalidParameterException`: a parameter value is not valid. */
export function invalidParameter(message: string): AwsServiceError {
  return new AwsServiceError('InvalidParameterException', message);
}

/** `InvalidRequestException`: a parameter is not valid for the current state of the secret. */
export function invalidRequest(message: string): AwsServiceError {
  return new AwsServiceError('InvalidRequestException', message);
}

/** `ResourceExistsException`: a secret with that name, or a version with that token, already exists. */
export function resourceExists(message: string): AwsServiceError {
  return new AwsServiceError('ResourceExistsException', message);
}

/** `InvalidNextTokenException`: the pagination token was not issued by this emulator for this call. */
export function invalidNextToken(): AwsServiceError {
  return new AwsServiceError('InvalidNextTokenException', 'The NextToken value is invalid.');
}

/** `LimitExceededException`: too many tags, labels or versions. */
export function limitExceeded(message: string): AwsServiceError {
  return new AwsServiceError('LimitExceededException', message);
}

/**
 * `ValidationException`: the input breaks a constraint of the API model (a required member missing, a
 * length or range). It names the member, never its value.
 */
export function validationError(member: string, constraint: string): AwsServiceError {
  return new AwsServiceError(
    'ValidationException',
    `1 validation error detected: Value at '${lowerFirst(member)}' failed to satisfy constraint: ${constraint}`,
  );
}

/** `SerializationException`: a member has the wrong JSON type. */
export function serializationError(member: string, expected: string): AwsServiceError {
  return new AwsServiceError('SerializationException', `${member} must be ${expected}`);
}

/** The message for operations refused on a secret that is scheduled for deletion. */
export const MARKED_FOR_DELETION =
  "You can't perform this operation on the secret because it was marked for deletion.";

function lowerFirst(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}
