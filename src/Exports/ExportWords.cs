using CommerceManager.Data;
namespace CommerceManager.Exports;

/// <summary>How the console speaks of an export: its title, its state, its progress with time left, its outcome.</summary>
public static class ExportWords
{
    public static string Title(ExportJob job) =>
        $"{char.ToUpperInvariant(Noun(job.Kind)[0])}{Noun(job.Kind)[1..]} export ({(job.Format == ExportFormat.Jsonl ? "JSON Lines" : "CSV")})";

    /// <summary>What a kind of export holds, in the plural: "orders", "customers", "accounts".</summary>
    public static string Noun(ExportKind kind) => kind switch
    {
        ExportKind.Orders => "orders",
        ExportKind.Accounts => "accounts",
        ExportKind.Members => "members",
        _ => "customers",
    };

    public static string State(ExportJob job) => job.Status switch
    {
        JobStatus.Pending => "waiting",
        JobStatus.Started => "running",
        JobStatus.Success => "ready",
        _ => job.CancelRequested ? "stopped" : "failed",
    };

    public static double Percent(ExportJob job) => job.RowsTotal is > 0 and var total ? Math.Min(100, 100.0 * job.RowsDone / total) : 0;

    /// <summary>"12,000 of 1,000,000 rows · about 40 s left", the time from the pace so far.</summary>
    public static string Progress(ExportJob job, DateTime now)
    {
        if (job.Status == JobStatus.Pending)
        {
            return "Waiting for the exports before it.";
        }
        if (job.RowsTotal is not { } total)
        {
            return "Counting rows…";
        }
        var text = $"{job.RowsDone:N0} of {total:N0} rows";
        if (job.StartedAt is { } started && job.RowsDone > 0 && job.RowsDone < total)
        {
            var left = TimeSpan.FromSeconds((now - started).TotalSeconds / job.RowsDone * (total - job.RowsDone));
            text += $" · about {Duration(left)} left";
        }
        return text;
    }

    public static string Outcome(ExportJob job) => job.Status switch
    {
        JobStatus.Success => $"{job.RowsDone:N0} rows, {Size(job.FileSize ?? 0)}. The file is kept until {job.ExpiresAt:yyyy-MM-dd} (UTC).",
        _ => job.Error ?? "The export failed.",
    };

    public static string Duration(TimeSpan t) =>
        t.TotalSeconds < 60 ? $"{Math.Max(1, (int)Math.Ceiling(t.TotalSeconds))} s" : t.TotalMinutes < 60 ? $"{(int)Math.Ceiling(t.TotalMinutes)} min" : $"{t.TotalHours:0.#} h";

    public static string Size(long bytes) =>
        bytes < 1024 ? $"{bytes} B" : bytes < 1024 * 1024 ? $"{bytes / 1024.0:0.#} KB" : $"{bytes / (1024.0 * 1024):0.#} MB";
}
