using System.Security.Claims;
using CommerceManager.Security;

namespace CommerceManager.Privacy;

public static class PrivacySetup
{
    public static IServiceCollection AddPrivacy(this IServiceCollection services)
    {
        services.AddSingleton<PrivacyService>();
        return services;
    }

    /// <summary>
    /// The console's downloads of a customer's personal data (Admins, signed in with the staff cookie):
    /// <c>/customers/{id}/personal-data.json</c> and <c>.html</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapPrivacyDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/customers/{id:guid}/personal-data.{format}", async (Guid id, string format, ClaimsPrincipal user, PrivacyService privacy, CancellationToken ct) =>
        {
            if (format is not ("json" or "html"))
            {
                return Results.NotFound();
            }
            var export = await privacy.ExportAsync(user, id, ct);
            if (export is null)
            {
                return Results.NotFound();
            }
            var name = $"personal-data-{id}.{format}";
            return format == "json"
                ? Results.File(System.Text.Encoding.UTF8.GetBytes(export.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })),
                    "application/json", name)
                : Results.File(System.Text.Encoding.UTF8.GetBytes(await PersonalDataHtml.RenderAsync(export)), "text/html; charset=utf-8", name);
        }).RequireAuthorization(p => p.RequireRole(Roles.Admin)).ExcludeFromDescription();
        return app;
    }
}
