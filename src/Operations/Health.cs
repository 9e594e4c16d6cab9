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
        services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: [Ready]);
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
