using CommerceManager.Data;

namespace CommerceManager.Exports;

/// <summary><c>Exports__Folder</c> and <c>Exports__KeepDays</c>: where export files are written and how long jobs and files are kept.</summary>
public sealed class ExportSettings
{
    /// <summary>
    /// Default: an <c>exports</c> folder beside the SQLite file, or <c>data/exports</c> on PostgreSQL. Several instances
    /// on PostgreSQL need a folder they all reach (a shared volume), since any of them may run a job or serve its file.
    /// </summary>
    public string Folder { get; set; } = "";

    /// <summary>EP keeps a job for a week.</summary>
    public int KeepDays { get; set; } = 7;

    /// <summary>An export starts only with at least this much free space in its folder (MB).</summary>
    public int MinFreeMegabytes { get; set; } = 256;

    /// <summary>How long a file link from <c>GET /v2/jobs/:id/file</c> works, in minutes.</summary>
    public int LinkMinutes { get; set; } = 15;

    /// <summary>How many exports, and how many imports, one staff member or API client may have waiting or running at once.</summary>
    public int MaxQueuedPerOwner { get; set; } = 5;

    public static string TooManyQueued(string what, int max) =>
        $"You already have {max} {what} waiting or running: wait for one to finish (or cancel one), then start this one.";

    public static string DefaultFolder(IConfiguration config, string contentRoot) => Path.Combine(DatabaseSetup.DataFolder(config, contentRoot), "exports");
}
