using System.Text.Json;
using CommerceManager.Common;
using CommerceManager.Exports;
using CommerceManager.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace CommerceManager.DataTransfer;

public static class DataTransferSetup
{
    public static IServiceCollection AddDataTransfer(this IServiceCollection services)
    {
        services.AddSingleton<IExportSource, CustomerExportSource>();
        services.AddSingleton<IExportSource, OrderExportSource>();
        services.AddOptions<ImportSettings>().BindConfiguration("Imports");
        services.AddSingleton<ImportService>();
        var source = services.AddHttpClient(ImportRunner.SourceHttpClient)
            .ConfigureHttpClient(c =>
            {
                // The resilience handler below times each attempt and the whole request.
                c.Timeout = Timeout.InfiniteTimeSpan;
                // A page of 100 customers is well under a megabyte: a store that sends more is not answering as EP does.
                c.MaxResponseContentBufferSize = 16 * 1024 * 1024;
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var settings = sp.GetRequiredService<IOptions<ImportSettings>>();
                return Common.OutboundConnections.CreateHandler(() => settings.Value.AllowPrivateSources);
            });
        // A busy store (429) or a passing failure (5xx, a dropped connection, a slow answer) is tried again, up to four
        // more times, waiting as long as its Retry-After asks (at most 30 s) or backing off from 2 s; a store failing
        // most requests opens the circuit for a while instead of being hammered.
        source.AddStandardResilienceHandler().Configure((HttpStandardResilienceOptions o, IServiceProvider sp) =>
        {
            var attempt = TimeSpan.FromSeconds(Math.Max(1, sp.GetRequiredService<IOptions<ImportSettings>>().Value.SourceTimeoutSeconds));
            o.AttemptTimeout.Timeout = attempt;
            o.Retry.MaxRetryAttempts = 4;
            o.Retry.Delay = TimeSpan.FromSeconds(2);
            o.Retry.MaxDelay = TimeSpan.FromSeconds(30);
            o.Retry.ShouldRetryAfterHeader = true;
            // A refused address stays refused: no point asking again.
            o.Retry.ShouldHandle = args => ValueTask.FromResult(
                !IsRefusedAddress(args.Outcome.Exception) && HttpClientResiliencePredicates.IsTransient(args.Outcome));
            o.TotalRequestTimeout.Timeout = attempt * 5 + TimeSpan.FromMinutes(2);
            o.CircuitBreaker.SamplingDuration = attempt * 2;
        });
        services.AddSingleton<ImportRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ImportRunner>());
        return services;
    }

    private static bool IsRefusedAddress(Exception? ex) =>
        ex is not null && (ex is Common.PrivateAddressException || IsRefusedAddress(ex.InnerException));

    public static string FailedRowsUrl(Guid jobId) => $"imports/{jobId}/failed.csv";

    /// <summary>
    /// <c>GET /imports/{id}/failed.csv</c>: the rows an import refused, as they were, with an <c>error</c> column, to
    /// fix in a spreadsheet and upload again (the same headers map the same way).
    /// </summary>
    public static IEndpointConventionBuilder MapImportFiles(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/imports/{id:guid}/failed.csv", async (Guid id, HttpContext context, [FromServices] ImportService imports) =>
        {
            var ct = context.RequestAborted;
            if (await imports.GetAsync(context.User, id, ct) is not { } job)
            {
                return Results.NotFound("There is no such import, or it was started by someone else.");
            }
            var headers = JsonSerializer.Deserialize<List<string>>(job.Headers) ?? [];
            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"failed-rows-{job.CreatedAt:yyyy-MM-dd-HHmm}.csv\"";
            context.Response.Headers.CacheControl = "no-store";
            await using var csv = new CsvWriter(context.Response.Body);
            await csv.WriteRowAsync([.. headers, "error"]);
            int? row = null;
            string[] values = [];
            var messages = new List<string>();
            await foreach (var error in imports.AllErrorsAsync(id, ct))
            {
                if (row != error.Row && row is not null)
                {
                    await csv.WriteRowAsync([.. values, string.Join(" ", messages)]);
                    messages.Clear();
                }
                row = error.Row;
                values = JsonSerializer.Deserialize<string[]>(error.Values) ?? [];
                messages.Add(error.Column is null ? error.Message : $"{error.Column}: {error.Message}");
            }
            if (row is not null)
            {
                await csv.WriteRowAsync([.. values, string.Join(" ", messages)]);
            }
            return Results.Empty;
        }).RequireAuthorization(new AuthorizeAttribute { Roles = Roles.Editors });
}
