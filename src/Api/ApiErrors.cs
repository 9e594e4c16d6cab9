using System.Text.Json;
using System.Text.Json.Serialization;
using CommerceManager.Api.Wire;
using CommerceManager.Common;
using CommerceManager.Querying;
using CommerceManager.Security;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;

namespace CommerceManager.Api;

/// <summary>One entry of EP's error list: <c>{"status","title","detail","source"?}</c>.</summary>
public sealed record ApiError(
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("detail")] string? Detail = null,
    [property: JsonPropertyName("source")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Source = null);

public sealed record ApiErrorBody([property: JsonPropertyName("errors")] IReadOnlyList<ApiError> Errors);

/// <summary>Raised by endpoint code for a request it refuses; becomes the EP error body with its status.</summary>
public sealed class ApiException(int status, string title, string? detail = null, string? source = null)
    : Exception(detail ?? title)
{
    public IReadOnlyList<ApiError> Errors { get; init; } = [new ApiError(status, title, detail, source)];
    public int Status => Errors[0].Status;
    /// <summary>Seconds for a Retry-After header (429).</summary>
    public int? RetryAfter { get; init; }

    public static ApiException Many(int status, IReadOnlyList<ApiError> errors) => new(status, errors[0].Title, errors[0].Detail) { Errors = errors };

    /// <summary>Throws the collected errors, if any, as one response with <paramref name="status"/>.</summary>
    public static void ThrowIfAny(IReadOnlyList<ApiError> errors, int status)
    {
        if (errors.Count > 0)
        {
            throw Many(status, errors);
        }
    }
}

public static class ApiErrors
{
    /// <summary>EP's title for a missing or refused access token.</summary>
    public const string UnauthorizedTitle = "Unable to validate access token";

    public static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/v2", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/oauth", StringComparison.OrdinalIgnoreCase);

    public static IResult Result(int status, string title, string? detail = null, string? source = null) =>
        TypedResults.Json(new ApiErrorBody([new ApiError(status, title, detail, source)]), statusCode: status);

    public static IResult Result(ApiException ex) => TypedResults.Json(new ApiErrorBody(ex.Errors), statusCode: ex.Status);

    public static IResult NotFound(string what) => Result(404, "Not Found", $"{what} was not found.");

    /// <summary>
    /// The one mapping from a service's expected failures to EP errors. EP answers a refusal with 400 or 422 depending
    /// on the resource, and a taken unique value with 409 (customers' emails) or 422 (field slugs): the caller says which.
    /// </summary>
    public static IResult Failure<T>(Outcome<T> outcome, string what, int refusedStatus = 400, int duplicateStatus = 409, string? duplicateTitle = null)
    {
        var source = outcome.Field is { } field ? ApiJson.Source(field) : null;
        return outcome.Kind switch
        {
            OutcomeKind.NotFound => NotFound(what),
            OutcomeKind.Duplicate => Result(duplicateStatus, duplicateTitle ?? TitleFor(duplicateStatus), outcome.Error, source),
            OutcomeKind.Conflict => Result(409, "Conflict", outcome.Error),
            OutcomeKind.Refused => Result(refusedStatus, TitleFor(refusedStatus), outcome.Error, source),
            OutcomeKind.Denied => Result(401, "Unauthorized", outcome.Error),
            OutcomeKind.Unavailable => Result(424, "Identity provider unavailable", outcome.Error),
            _ => throw new InvalidOperationException("A successful outcome is not a failure."),
        };
    }

    /// <summary>
    /// Answers a route group's validation failures (raised by the services' validators) with the group's EP status,
    /// each failure naming its field in <c>source</c>.
    /// </summary>
    public static TBuilder ValidationErrors<TBuilder>(this TBuilder builder, int status, Func<string, string>? source = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (ValidationException ex)
            {
                // Custom field values are refused with 422 on every resource (EP's flows), whatever the resource's own status.
                var answer = ex.Errors.All(e => e.PropertyName.StartsWith(CustomFields.CustomFieldValues.SourcePrefix, StringComparison.Ordinal)) ? 422 : status;
                throw ApiException.Many(answer, FromValidation(ex.Errors, answer, source).ToList());
            }
        });

    public static Task WriteAsync(HttpContext context, int status, IReadOnlyList<ApiError> errors)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ApiErrorBody(errors));
    }

    /// <summary>
    /// A validator's failures as EP errors, one per field, each naming its field in <c>source</c>; <paramref name="source"/>
    /// may map a property path to a different API field.
    /// </summary>
    public static IEnumerable<ApiError> FromValidation(IEnumerable<FluentValidation.Results.ValidationFailure> failures, int status,
        Func<string, string>? source = null) =>
        failures.Select(e => new ApiError(status, status == 422 ? "Failed Validation" : TitleFor(status), e.ErrorMessage, (source ?? ApiJson.Source)(e.PropertyName)));

    public static string TitleFor(int status) => status switch
    {
        400 => "Bad Request",
        401 => UnauthorizedTitle,
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Failed Validation",
        429 => "Too Many Requests",
        _ => status >= 500 ? "Internal Server Error" : "Error",
    };

    public static string DetailFor(int status) => status switch
    {
        401 => "A valid access token is required: send Authorization: Bearer <token> from POST /oauth/access_token.",
        403 => "This token is not allowed to do this.",
        404 => "There is nothing at this address.",
        405 => "This method is not supported here.",
        413 => "The request body is too large (the limit is 1 MB).",
        415 => "Send a JSON body with Content-Type: application/json.",
        _ => TitleFor(status),
    };

    /// <summary>Gives empty API error responses (404 for an unknown route, 405, 415 …) an EP error body.</summary>
    public static async Task StatusCodeBodyAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        if (IsApiPath(http.Request.Path) && http.Response.StatusCode >= 400 && !http.Response.HasStarted)
        {
            var status = http.Response.StatusCode;
            var detail = status == 415 && http.Request.Path.StartsWithSegments("/oauth", StringComparison.OrdinalIgnoreCase)
                ? "Send the token request form-encoded (Content-Type: application/x-www-form-urlencoded)."
                : DetailFor(status);
            await WriteAsync(http, status, [new ApiError(status, TitleFor(status), detail)]);
        }
    }
}

/// <summary>
/// The one place API failures become responses: expected refusals arrive as typed exceptions, anything else is a
/// 500 with a reference to the log and never a stack trace.
/// </summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> log) : IExceptionHandler
{
    public static bool IsExpected(Exception exception) =>
        exception is ApiException or FilterException or ValidationException or AccessDeniedException or JsonException or BadHttpRequestException;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        // The middleware has already pointed the request at /Error: the original path is in the feature.
        var path = context.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? context.Request.Path;
        if (!ApiErrors.IsApiPath(path))
        {
            return false;
        }
        var (status, errors) = exception switch
        {
            ApiException api => (api.Status, api.Errors),
            // EP's shape: title "Bad Request", the detail says which part could not be parsed, then why.
            FilterException filter => (400, [new ApiError(400, "Bad Request", $"{filter.ErrorTitle}: {filter.Message}", filter.ErrorTitle == FilterException.SortTitle ? "sort" : "filter")]),
            ValidationException validation => (422, ApiErrors.FromValidation(validation.Errors, 422).ToList()),
            AccessDeniedException denied => (403, [new ApiError(403, "Forbidden", denied.Message)]),
            JsonException => (400, [new ApiError(400, "Bad Request", "The request body is not valid JSON.")]),
            BadHttpRequestException bad => (bad.StatusCode, [new ApiError(bad.StatusCode, ApiErrors.TitleFor(bad.StatusCode),
                bad.StatusCode == 413 ? ApiErrors.DetailFor(413) : bad.Message)]),
            // A deployment fault (the log says what to do): say so rather than pretend the token was bad.
            CommerceManager.Tokens.SigningKeyUnavailableException => (503, [new ApiError(503, "Service Unavailable",
                "This instance cannot read the store's token signing key, so it can't issue or check tokens. The operator's log says how to fix it.")]),
            // A full disk or a read-only database: retryable, and nothing was saved.
            _ when Data.DbErrors.IsStorageUnavailable(exception) => (503, [new ApiError(503, "Service Unavailable", Data.DbErrors.StorageUnavailableMessage)]),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => (499, (IReadOnlyList<ApiError>)[]),
            _ => (500, [new ApiError(500, "Internal Server Error",
                $"Something went wrong on our side. Quote this reference when reporting it: {context.TraceIdentifier}")]),
        };
        if (status == 499)
        {
            return true;
        }
        if (exception is ApiException { RetryAfter: { } seconds })
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (status == 503)
        {
            context.Response.Headers.RetryAfter = Data.DbErrors.StorageRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (status >= 500)
        {
            log.LogError(exception, "Unhandled API error on {Method} {Path} ({TraceId})", context.Request.Method, path, context.TraceIdentifier);
        }
        await ApiErrors.WriteAsync(context, status, errors);
        return true;
    }
}
