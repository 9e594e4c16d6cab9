using System.Diagnostics;
using CommerceManager.Common;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CommerceManager.Operations;

/// <summary>
/// What an operator watches: one log line per request (method, path, status, time, trace id, and the request id the
/// API's 500 errors quote), JSON console logs with <c>Logging__Console__FormatterName=json</c> (ASP.NET Core's own
/// formatter), and OpenTelemetry metrics and traces (ASP.NET Core, EF Core, HttpClient, the runtime and
/// <see cref="AppMetrics"/>) exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class Observability
{
    public const string RequestCategory = "CommerceManager.Requests";

    public static IServiceCollection AddObservability(this IServiceCollection services, IConfiguration config)
    {
        if (string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return services;
        }
        // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL and _HEADERS itself; OTEL_SERVICE_NAME names the service.
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(config["OTEL_SERVICE_NAME"] ?? "commerce-manager", serviceVersion: BackupArchive.AppVersion))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(AppMetrics.MeterName, "Microsoft.AspNetCore.Identity", "Microsoft.EntityFrameworkCore")
                .AddOtlpExporter())
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsQuiet(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation()
                .AddOtlpExporter());
        return services;
    }

    /// <summary>Logs every request but static files, health probes and the console's long-lived connection.</summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var log = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(RequestCategory);
        return app.Use(async (context, next) =>
        {
            if (IsQuiet(context.Request.Path) || !log.IsEnabled(LogLevel.Information))
            {
                await next(context);
                return;
            }
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                log.LogInformation("HTTP {Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms (trace {TraceId}, request {RequestId})",
                    context.Request.Method, context.Request.Path.Value, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    Activity.Current?.TraceId.ToString(), context.TraceIdentifier);
            }
        });
    }

    private static bool IsQuiet(PathString path) =>
        path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content") || path.StartsWithSegments("/_blazor")
        || path.StartsWithSegments("/health") || Path.HasExtension(path.Value);
}
