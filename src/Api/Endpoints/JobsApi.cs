using CommerceManager.Data;
using System.Security.Claims;
using System.Text.Json.Serialization;
using CommerceManager.Api.Wire;
using CommerceManager.Exports;

namespace CommerceManager.Api.Endpoints;

/// <summary>
/// EP's exporter, <c>/v2/jobs</c>: an export runs as a job (PENDING → STARTED → SUCCESS or FAILED) and its file is
/// fetched through a link when it is done. EP's <c>order_export</c>, plus our <c>customer_export</c> and <c>account_export</c>; CSV by default,
/// JSON Lines with <c>format: "jsonl"</c> (ours). Client credentials only, as EP's exporter.
/// </summary>
public static class JobsApi
{
    public const string OrderExport = "order_export";
    public const string CustomerExport = "customer_export";
    public const string AccountExport = "account_export";
    public const string MemberExport = "account_member_export";

    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder v2)
    {
        var jobs = v2.MapGroup("/jobs").WithTags("Jobs").RequireAuthorization(ApiSetup.ClientCredentials).ValidationErrors(422);
        jobs.MapGet("", ListAsync).WithSummary("List export jobs, newest first").Produces<DataResponse<IReadOnlyList<JobResource>>>();
        jobs.MapPost("", CreateAsync).WithSummary("Start an export job")
            .WithDescription("{\"data\":{\"type\":\"job\",\"job_type\":\"order_export|customer_export|account_export|account_member_export\",\"filter\":\"…\"}}: the filter is the one the order (customer, account) list takes; "
                + "\"\" or none exports everything. Ours: \"format\":\"csv|jsonl\" (default csv) and, for customer_export, \"sort\". Answers 202 with the job, PENDING.")
            .Produces<DataResponse<JobResource>>(202).Produces<ApiErrorBody>(400).Produces<ApiErrorBody>(422);
        jobs.MapGet("/{id:guid}", GetAsync).WithSummary("Get an export job (status, link to its file when SUCCESS)")
            .Produces<DataResponse<JobResource>>().Produces<ApiErrorBody>(404);
        jobs.MapGet("/{id:guid}/file", FileAsync).WithSummary("Get the link to a finished job's file")
            .WithDescription("{\"data\":{\"href\":\"…\"}}: a URL that downloads the file without a token, valid for 15 minutes (Exports__LinkMinutes; ask again for a fresh one) and never past the job's expiry (a week). 404 until the job is SUCCESS.")
            .Produces<DataResponse<FileHref>>().Produces<ApiErrorBody>(404);
        return v2;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ClaimsPrincipal user, ExportService exports, CancellationToken ct) =>
        TypedResults.Json(new DataResponse<IReadOnlyList<JobResource>>((await exports.ListAsync(user, ct: ct)).Select(j => Job(request, j)).ToList()));

    private static async Task<IResult> CreateAsync(ApiBody<JobData> body, HttpRequest request, ClaimsPrincipal user, ExportService exports, CancellationToken ct)
    {
        var data = body.Data;
        var errors = new List<ApiError>();
        if (data.Type.IsSet && data.Type.Value != "job")
        {
            errors.Add(new ApiError(422, "Unprocessable Entity", "The type field must be 'job'.", "data.type"));
        }
        ExportKind? kind = data.JobType.Value switch
        {
            OrderExport => ExportKind.Orders,
            CustomerExport => ExportKind.Customers,
            AccountExport => ExportKind.Accounts,
            MemberExport => ExportKind.Members,
            _ => null,
        };
        if (kind is null)
        {
            errors.Add(new ApiError(422, "Unprocessable Entity",
                data.JobType.Value is null ? "The job_type field is required: order_export, customer_export, account_export or account_member_export." : $"The job_type '{data.JobType.Value}' is not one we run: order_export, customer_export, account_export or account_member_export.",
                "data.job_type"));
        }
        ExportFormat? format = data.Format.Value?.ToLowerInvariant() switch
        {
            null or "csv" => ExportFormat.Csv,
            "jsonl" or "ndjson" => ExportFormat.Jsonl,
            _ => null,
        };
        if (format is null)
        {
            errors.Add(new ApiError(422, "Unprocessable Entity", "The format field must be csv or jsonl.", "data.format"));
        }
        ApiException.ThrowIfAny(errors, 422);
        var job = await exports.CreateAsync(user, new ExportRequest(kind!.Value, format!.Value, data.Filter.Value,
            kind == ExportKind.Customers ? data.Sort.Value : null), ct);
        return TypedResults.Json(new DataResponse<JobResource>(Job(request, job)), statusCode: 202);
    }

    private static async Task<IResult> GetAsync(Guid id, HttpRequest request, ClaimsPrincipal user, ExportService exports, CancellationToken ct) =>
        await exports.GetAsync(user, id, ct) is { } job ? TypedResults.Json(new DataResponse<JobResource>(Job(request, job))) : ApiErrors.NotFound("This job");

    private static async Task<IResult> FileAsync(Guid id, HttpRequest request, ClaimsPrincipal user, ExportService exports, CancellationToken ct)
    {
        var job = await exports.GetAsync(user, id, ct);
        if (job is null)
        {
            return ApiErrors.NotFound("This job");
        }
        if (exports.FileOf(job) is null)
        {
            return ApiErrors.Result(404, "Not Found", job.IsRunning
                ? $"This job has no file yet: it is {Status(job)}. Ask again when GET /v2/jobs/{job.Id} says SUCCESS."
                : $"This job has no file: it is {Status(job)}{(job.Error is null ? "" : $" ({job.Error})")}.");
        }
        var href = ApiLinks.Absolute(request, $"{ExportsSetup.FilePath}/{job.Id}?token={Uri.EscapeDataString(exports.FileToken(job))}");
        return TypedResults.Json(new FileLinkResponse(new FileHref(href), href));
    }

    public static string Status(ExportJob job) => job.Status.ToString().ToUpperInvariant();

    public static JobResource Job(HttpRequest request, ExportJob job) => new(
        job.Id.ToString(),
        "job",
        job.Kind switch { ExportKind.Orders => OrderExport, ExportKind.Accounts => AccountExport, ExportKind.Members => MemberExport, _ => CustomerExport },
        Status(job),
        job.Status == JobStatus.Failed ? job.Error ?? "The job failed." : null,
        new FileHref(job.Status == JobStatus.Success ? ApiLinks.Absolute(request, $"/v2/jobs/{job.Id}/file") : ""),
        ApiLinks.Self(request, $"/v2/jobs/{job.Id}"),
        Timestamps.Of(job.CreatedAt, job.UpdatedAt),
        new JobMeta(job.Format == ExportFormat.Jsonl ? "jsonl" : "csv", job.Filter ?? "", job.RowsDone, job.RowsTotal, job.FileSize,
            job.StartedAt is { } s ? ApiJson.Timestamp(s) : null, job.FinishedAt is { } f ? ApiJson.Timestamp(f) : null, ApiJson.Timestamp(job.ExpiresAt)));
}

/// <summary>EP's job: <c>timestamps</c> beside the other fields (not under <c>meta</c>); our progress and file details under <c>meta</c>.</summary>
public sealed record JobResource(
    string Id,
    string Type,
    string JobType,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    FileHref Link,
    SelfLink Links,
    Timestamps Timestamps,
    JobMeta Meta);

public sealed record JobMeta(string Format, string Filter, int RowsDone, int? RowsTotal, long? FileSize, string? StartedAt, string? FinishedAt, string ExpiresAt);

public sealed record FileHref(string Href);

/// <summary>
/// EP's <c>{"data":{"href"}}</c>; the same link also at the top level, where @moltin/sdk's <c>GetFile</c> type looks for it.
/// </summary>
public sealed record FileLinkResponse(FileHref Data, string Href);

public sealed record JobData : IRequestData
{
    public static string? ResourceType => null;
    public static int FailureStatus => 422;

    public Optional<string> Type { get; init; }
    public Optional<string> JobType { get; init; }
    public Optional<string> Filter { get; init; }
    public Optional<string> Format { get; init; }
    public Optional<string> Sort { get; init; }
}
