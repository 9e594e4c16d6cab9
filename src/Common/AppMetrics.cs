using System.Diagnostics.Metrics;

namespace CommerceManager.Common;

/// <summary>
/// The app's own metrics (meter <c>CommerceManager</c>), beside ASP.NET Core's (requests, latency, errors, Identity
/// sign-ins) and EF Core's: customer sign-in failures, rate-limit rejections, saves refused for lack of storage, and
/// background jobs by kind and outcome. Exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; see
/// docs/operations.md for the list.
/// </summary>
public sealed class AppMetrics
{
    public const string MeterName = "CommerceManager";

    private readonly Counter<long> signInFailures;
    private readonly Counter<long> rateLimited;
    private readonly Counter<long> storageFailures;
    private readonly Counter<long> jobs;
    private readonly Histogram<double> jobDuration;

    public AppMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        signInFailures = meter.CreateCounter<long>("commerce_manager.customer_sign_in.failures", "{attempt}",
            "Customer sign-ins (POST /v2/customers/tokens) refused for a wrong email or password.");
        rateLimited = meter.CreateCounter<long>("commerce_manager.rate_limit.rejections", "{request}",
            "Requests answered 429 by the sign-in and registration rate limits, by limit (ip, account) and endpoint.");
        storageFailures = meter.CreateCounter<long>("commerce_manager.storage.write_failures", "{save}",
            "Saves refused because the database can't be written (disk full, read-only).");
        jobs = meter.CreateCounter<long>("commerce_manager.jobs", "{job}", "Background jobs finished, by kind (export, import, backup) and outcome.");
        jobDuration = meter.CreateHistogram<double>("commerce_manager.job.duration", "s", "How long background jobs ran, by kind and outcome.");
    }

    public void CustomerSignInFailed() => signInFailures.Add(1);

    public void RateLimited(string limit, string endpoint) =>
        rateLimited.Add(1, new KeyValuePair<string, object?>("limit", limit), new KeyValuePair<string, object?>("endpoint", endpoint));

    public void StorageWriteFailed() => storageFailures.Add(1);

    public void JobFinished(string kind, string outcome, TimeSpan took)
    {
        KeyValuePair<string, object?>[] tags = [new("kind", kind), new("outcome", outcome)];
        jobs.Add(1, tags);
        jobDuration.Record(took.TotalSeconds, tags);
    }
}
