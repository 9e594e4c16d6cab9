using System.Text.Json;
using CommerceManager.Common;
using CommerceManager.Exports;
using CommerceManager.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CommerceManager.DataTransfer;

public static class DataTransferSetup
{
    public static IServiceCollection AddDataTransfer(this IServiceCollection services)
    {
        services.AddSingleton<IExportSource, CustomerExportSource>();
        services.AddSingleton<IExportSource, OrderExportSource>();
        services.AddOptions<ImportSettings>().BindConfiguration("Imports");
        services.AddSingleton<ImportService>();
        services.AddHttpClient(ImportRunner.SourceHttpClient)
            .ConfigureHttpClient((sp, c) =>
            {
                c.Timeout = TimeSpan.FromSeconds(Math.Max(1, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ImportSettings>>().Value.SourceTimeoutSeconds));
                // A page of 100 customers is well under a megabyte: a store that sends more is not answering as EP does.
                c.MaxResponseContentBufferSize = 16 * 1024 * 1024;
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var settings = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ImportSettings>>();
                return CustomerSignIn.ProviderConnections.CreateHandler(() => settings.Value.AllowPrivateSources);
            });
        services.AddSingleton<ImportRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ImportRunner>());
        return services;
    }

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
