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
