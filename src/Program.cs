using CommerceManager;
using CommerceManager.Account;
using CommerceManager.Components;
using CommerceManager.Data;
using CommerceManager.Seeding;
using MudBlazor.Services;

if (args is ["seed", ..] or ["bench", ..])
{
    return await Commands.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
// Serve MudBlazor's and Blazor's static files from the build output in every environment, not only Development.
builder.WebHost.UseStaticWebAssets();

builder.Services.AddDatabase(builder.Configuration, builder.Environment.ContentRootPath);
builder.Services.AddKeyStorage(builder.Configuration, builder.Environment.ContentRootPath);
builder.Services.AddStaffIdentity();
builder.Services.AddCommerceServices();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddProblemDetails();

var app = builder.Build();

await AppInitializer.InitializeAsync(app.Services);

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAntiforgery();

app.MapStaticAssets();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.MapAccountEndpoints();

app.Run();
return 0;

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in the tests.</summary>
public partial class Program;
