using CommerceManager;
using CommerceManager.Account;
using CommerceManager.Api;
using CommerceManager.Components;
using CommerceManager.DataTransfer;
using CommerceManager.Exports;
using CommerceManager.History;
using CommerceManager.Operations;
using CommerceManager.Privacy;
using CommerceManager.Security;
using CommerceManager.Seeding;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);
// Serve MudBlazor's and Blazor's static files from the build output in every environment, not only Development.
builder.WebHost.UseStaticWebAssets();

// Start-up failures an operator can fix (a damaged or newer database, a port in use, lost keys…) end with one line
// saying what to do and exit code 3; anything else keeps its full exception.
try
{
    builder.Services.AddCommerceManager(builder.Configuration, builder.Environment.ContentRootPath);
    builder.Services.AddWebSecurity(builder.Configuration);
    builder.Services.AddApi();
    builder.Services.AddRazorComponents().AddInteractiveServerComponents();
    builder.Services.AddMudServices(o =>
    {
        // Over the navigation drawer, not over cards, tables or the pager; short-lived.
        o.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomLeft;
        o.SnackbarConfiguration.VisibleStateDuration = 4000;
        o.SnackbarConfiguration.ShowTransitionDuration = 200;
        o.SnackbarConfiguration.HideTransitionDuration = 200;
    });
    builder.Services.AddScoped<CommerceManager.Ui.BrowserTime>();
    builder.Services.AddScoped<CommerceManager.Ui.BrowserDom>();
    builder.Services.AddProblemDetails();
    builder.Services.AddObservability(builder.Configuration);

    var app = builder.Build();

    await AppInitializer.InitializeAsync(app.Services);

    // Trusted proxies first, so everything after sees the client's address and scheme.
    app.UseTrustedProxies(app.Configuration);
    app.UseRequestLogging();
    if (WebSecurity.WantsHttps(app.Environment, app.Configuration))
    {
        app.UseHsts();
        app.UseHttpsRedirection();
    }
    app.UseSecurityHeaders(ApiErrors.IsApiPath);

    app.UseExceptionHandler(new ExceptionHandlerOptions
    {
        ExceptionHandlingPath = "/Error",
        CreateScopeForErrors = true,
        // Refusals the API answers on purpose (4xx) are not errors worth a log entry.
        SuppressDiagnosticsCallback = c => ApiExceptionHandler.IsExpected(c.Exception),
    });
    app.UseApiConventions();
    app.UseWhen(c => !ApiErrors.IsApiPath(c.Request.Path), console =>
        console.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
    app.UseRouting();
    // Store reads wait for a free place here (StoreReadGate), before authentication.
    app.UseRateLimiter();
    app.UseApiCors();
    app.UseAuthentication();
    app.UseAuthorization();
    app.UseChangeActor();
    app.UsePasswordChangeGate();
    app.UseAntiforgery();

    app.MapStaticAssets();
    app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    app.MapAccountEndpoints().ExcludeFromDescription();
    app.MapPrivacyDownloads();
    app.MapApi();
    app.MapHealth();
    app.MapExportFiles().ExcludeFromDescription();
    app.MapImportFiles().ExcludeFromDescription();

    app.Run();
}
catch (Exception ex) when (StartupFailure.Describe(ex, builder.Configuration) is { } line)
{
    Console.Error.WriteLine(line);
    return StartupFailure.ExitCode;
}
return 0;

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in the tests.</summary>
public partial class Program;
