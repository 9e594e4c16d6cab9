using CommerceManager.Data;
using Microsoft.Extensions.Options;

namespace CommerceManager.Operations;

/// <summary>
/// Takes the backups <c>Backup__Schedule</c> asks for. Every instance watches the schedule; the Backups table's unique
/// slot lets exactly one of them take each occurrence. A slot missed while the app was down is not made up.
/// </summary>
public sealed class BackupScheduler(BackupService backups, IOptions<BackupSettings> options, SqlDialect dialect, TimeProvider clock, ILogger<BackupScheduler> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        try
        {
            // On SQLite this is the only instance: any run still "running" was cut off when the app last stopped.
            await backups.MarkInterruptedAsync(dialect.Name == "sqlite" ? TimeSpan.Zero : TimeSpan.FromHours(6), stopping);
            backups.RemoveLeftovers();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogWarning(ex, "Could not tidy up interrupted backups");
        }
        if (options.Value.Cron is not { } cron)
        {
            return;
        }
        log.LogInformation("Scheduled backups: {Schedule} (server time), into {Folder}, keeping {Keep}", options.Value.Schedule, options.Value.Folder, options.Value.Keep);
        while (!stopping.IsCancellationRequested)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            if (cron.GetNextOccurrence(now, TimeZoneInfo.Local) is not { } next)
            {
                return;
            }
            try
            {
                await Task.Delay(next - now, clock, stopping);
                await RunSlotAsync(next, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogError(ex, "The scheduled backup of {Slot:u} could not start", next);
            }
        }
    }

    /// <summary>A backup running when the app stops is interrupted; this waits for it to record that and remove its pieces.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await backups.WaitIdleAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Takes the backup of one schedule slot, unless another instance has; true when this instance took it.</summary>
    public async Task<bool> RunSlotAsync(DateTime slot, CancellationToken ct) =>
        await backups.RunAsync(BackupTrigger.Scheduled, "schedule", file: null, scheduledFor: slot, ct) is not null;
}
