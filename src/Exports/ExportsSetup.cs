using CommerceManager.Security;
using Microsoft.AspNetCore.Mvc;

namespace CommerceManager.Exports;

public static class ExportsSetup
{
    public static IServiceCollection AddExports(this IServiceCollection services, IConfiguration config, string contentRoot)
    {
        services.AddOptions<ExportSettings>().BindConfiguration("Exports").PostConfigure(s =>
        {
            s.Folder = string.IsNullOrWhiteSpace(s.Folder) ? ExportSettings.DefaultFolder(config, contentRoot) : Path.GetFullPath(s.Folder, contentRoot);
            s.KeepDays = Math.Max(1, s.KeepDays);
        });
        services.AddSingleton<ExportService>();
        services.AddSingleton<ExportRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ExportRunner>());
        return services;
    }

    public const string FilePath = "/exports/files";

    /// <summary>The console's download link for a finished job (the staff member's sign-in decides).</summary>
    public static string DownloadUrl(ExportJob job) => $"exports/files/{job.Id}";

    /// <summary>
    /// <c>GET /exports/files/{id}</c>: a finished job's file. With <c>?token=</c> (the link <c>GET /v2/jobs/:id/file</c>
    /// hands out) no sign-in is needed, as with EP's file URL; otherwise the staff member who started it, or an Admin.
    /// </summary>
    public static IEndpointConventionBuilder MapExportFiles(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(FilePath + "/{id:guid}", async (Guid id, string? token, HttpContext context, [FromServices] ExportService exports) =>
        {
            ExportJob? job;
            if (!string.IsNullOrEmpty(token))
            {
                job = exports.JobOfToken(token) == id ? await exports.FindAsync(id, context.RequestAborted) : null;
                if (job is null)
                {
                    return Results.NotFound("This download link is not valid or has expired.");
                }
            }
            else if (context.User.Identity?.IsAuthenticated != true || !Access.Has(context.User, Permission.ReadCustomers))
            {
                return Results.Challenge();
            }
            else if ((job = await exports.GetAsync(context.User, id, context.RequestAborted)) is null)
            {
                return Results.NotFound("There is no such export, or it was started by someone else.");
            }
            if (exports.FileOf(job) is not { } path)
            {
                return Results.NotFound(job.IsRunning ? "This export has not finished yet." : "This export has no file (it failed, was stopped, or has expired).");
            }
            context.Response.Headers.CacheControl = "no-store";
            var type = job.Format == ExportFormat.Jsonl ? "application/x-ndjson; charset=utf-8" : "text/csv; charset=utf-8";
            return Results.File(path, type, ExportService.DownloadName(job), enableRangeProcessing: true);
        }).AllowAnonymous();
}
