using System.Text.Json;
using CommerceManager.Data;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CommerceManager.Operations;

/// <summary>
/// <c>/health/live</c>: the process answers (for restarts). <c>/health/ready</c>: the database is reachable and every
/// migration is applied (for a load balancer deciding where to send traffic). Neither needs sign-in, neither is rate
/// limited, neither says more than a status per check.
/// </summary>
public static class Health
{
    private const string Ready = "ready";

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseReadyCheck>("database", tags: [Ready])
            .AddCheck<DatabaseWritableCheck>("writes", tags: [Ready]);
        services.AddSingleton<DatabaseWritableCheck>();
        return services;
    }

    /// <summary>Health, and backups (<c>Backup__*</c>): a schedule that is not a cron expression stops the start with the reason.</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration config, string contentRoot)
    {
        services.AddHealth();
        // In-flight requests get this long to finish when the app is told to stop (SIGTERM); default 30 seconds.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(Math.Clamp(config.GetValue("Shutdown:TimeoutSeconds", 30), 1, 600)));
        if (config["Backup:Schedule"] is { Length: > 0 } schedule)
        {
            BackupSettings.ParseSchedule(schedule);
        }
        services.AddOptions<BackupSettings>().BindConfiguration("Backup").PostConfigure(s =>
            s.Folder = string.IsNullOrWhiteSpace(s.Folder) ? BackupSettings.DefaultFolder(config, contentRoot) : Path.GetFullPath(s.Folder, contentRoot));
        services.AddSingleton<BackupService>();
        services.AddSingleton<BackupScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<BackupScheduler>());
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync }).AllowAnonymous();
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }));
    }
}

/// <summary>Ready when the database answers and has no pending migration (a new version is still migrating).</summary>
internal sealed class DatabaseReadyCheck(IDbContextFactory<AppDbContext> factory, SqlDialect dialect) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy($"The {dialect.Name} database can't be reached.");
            }
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            return pending == 0
                ? HealthCheckResult.Healthy($"The {dialect.Name} database answers and is up to date.")
                : HealthCheckResult.Unhealthy($"The {dialect.Name} database has {pending} migration(s) still to apply.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The category only: connection strings and server messages stay in the log.
            return HealthCheckResult.Unhealthy($"The {dialect.Name} database can't be reached.", ex);
        }
    }
}

/// <summary>
/// Whether the database takes writes: one tiny real write (a row in AppSettings), at most every five seconds, and whether
/// the app's own saves have been failing for lack of storage (<see cref="StorageHealth"/>). A full disk or a read-only
/// database makes the app <b>Degraded</b>, not down: reads still work, so a load balancer may keep
/// sending traffic while monitoring raises the alarm; the next probe after the cause is gone reports Healthy again.
/// </summary>
internal sealed class DatabaseWritableCheck(IDbContextFactory<AppDbContext> factory, StorageHealth storage, TimeProvider clock, ILogger<DatabaseWritableCheck> log)
    : IHealthCheck
{
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim one = new(1, 1);
    private (DateTimeOffset At, HealthCheckResult Result)? last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await one.WaitAsync(cancellationToken);
        try
        {
            if (last is not { } cached || clock.GetUtcNow() - cached.At >= ProbeEvery)
            {
                last = cached = (clock.GetUtcNow(), await ProbeAsync(cancellationToken));
            }
            // A small probe can still fit where a real save no longer does (SQLite reuses its write-ahead log's space):
            // the app's own saves failing for lack of storage count too, until one goes through again.
            return cached.Result.Status == HealthStatus.Healthy && storage.FailingSince is { } since
                ? HealthCheckResult.Degraded($"Saves fail since {since:u}: the database's disk is full or it is read-only. Reads still work; saves resume by themselves once it is fixed.")
                : cached.Result;
        }
        finally
        {
            one.Release();
        }
    }

    private async Task<HealthCheckResult> ProbeAsync(CancellationToken ct)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            // A writer holding the database for a moment is not a fault: wait briefly, not the saves' 30 seconds.
            db.Database.SetCommandTimeout(3);
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO \"AppSettings\" (\"Key\", \"Value\") VALUES ('health:write-probe', {0}) ON CONFLICT (\"Key\") DO UPDATE SET \"Value\" = excluded.\"Value\"",
                [clock.GetUtcNow().UtcDateTime.ToString("O")], ct);
            return HealthCheckResult.Healthy("The database takes writes.");
        }
        catch (Exception ex) when (DbErrors.IsStorageUnavailable(ex))
        {
            log.LogWarning(ex, "The database can't be written");
            return HealthCheckResult.Degraded("Writes fail: the database's disk is full or it is read-only. Reads still work; writes resume by themselves once it is fixed.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Busy for longer than the probe waits, or a timeout: say so without taking the instance out of rotation.
            log.LogWarning(ex, "The write probe did not finish");
            return HealthCheckResult.Degraded("The write probe did not finish in time (the database is busy); saves may be slow.");
        }
    }
}
