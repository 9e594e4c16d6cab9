using CommerceManager.Data;
using Cronos;

namespace CommerceManager.Operations;

/// <summary><c>Backup__Folder</c>, <c>Backup__Schedule</c>, <c>Backup__Keep</c> and <c>Backup__PostgresBin</c>.</summary>
public sealed class BackupSettings
{
    /// <summary>Where backups go: default a <c>backups</c> folder beside the SQLite file, or <c>data/backups</c> on PostgreSQL.</summary>
    public string Folder { get; set; } = "";

    /// <summary>
    /// A cron expression in the server's time zone (<c>0 3 * * *</c>: every day at 03:00; <c>@hourly</c>, <c>@daily</c>,
    /// <c>@weekly</c> also work). Empty: no scheduled backups (Settings → Backups and <c>tools backup</c> still work).
    /// </summary>
    public string? Schedule { get; set; }

    /// <summary>How many backups in <see cref="Folder"/> to keep; older ones are deleted after each successful backup.</summary>
    public int Keep { get; set; } = 7;

    /// <summary>The folder holding <c>pg_dump</c> and <c>pg_restore</c> (PostgreSQL only). Default: PATH, then the newest <c>/usr/lib/postgresql/*/bin</c>.</summary>
    public string? PostgresBin { get; set; }

    /// <summary>The parsed <see cref="Schedule"/>, or null when there is none.</summary>
    public CronExpression? Cron => string.IsNullOrWhiteSpace(Schedule) ? null : ParseSchedule(Schedule);

    public static CronExpression ParseSchedule(string schedule)
    {
        try
        {
            return CronExpression.Parse(schedule.Trim());
        }
        catch (CronFormatException ex)
        {
            throw new InvalidOperationException($"Backup__Schedule '{schedule}' is not a cron expression ({ex.Message}). " +
                "Use five fields, e.g. '0 3 * * *' for every day at 03:00, or @daily / @hourly.", ex);
        }
    }

    public static string DefaultFolder(IConfiguration config, string contentRoot) => Path.Combine(DatabaseSetup.DataFolder(config, contentRoot), "backups");
}
