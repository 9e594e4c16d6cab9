using Bunit;
using Bunit.TestDoubles;
using CommerceManager.Customers;
using CommerceManager.Staff;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace CommerceManager.Tests.Infrastructure;

/// <summary>bUnit with MudBlazor and the app's real services over a real SQLite file.</summary>
public abstract class ConsoleTestContext : BunitContext, IAsyncLifetime
{
    protected TestServices App { get; private set; } = default!;
    protected BunitAuthorizationContext Auth { get; private set; } = default!;
    /// <summary>Where dialogs render: find a dialog's content in its markup.</summary>
    protected IRenderedComponent<MudDialogProvider> Dialogs { get; private set; } = default!;
    /// <summary>Where menus, selects and autocompletes show their lists.</summary>
    protected IRenderedComponent<MudPopoverProvider> Popovers { get; private set; } = default!;

    /// <summary>Changes to the app's services before they are built (an interceptor that makes saves fail).</summary>
    protected virtual void ConfigureAppServices(IServiceCollection services) { }

    public virtual async Task InitializeAsync()
    {
        App = await TestServices.CreateAsync(ConfigureAppServices);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddScoped<CommerceManager.Ui.BrowserTime>();
        Services.AddScoped<CommerceManager.Ui.BrowserDom>();
        Services.AddSingleton(App.Get<CustomerService>());
        Services.AddSingleton(App.Get<CustomerBulk>());
        Services.AddSingleton(App.Get<CommerceManager.Common.BackgroundWork>());
        Services.AddSingleton(App.Get<CommerceManager.Exports.ExportService>());
        Services.AddSingleton(App.Get<TimeProvider>());
        Services.AddSingleton(App.Get<StaffService>());
        Services.AddSingleton(App.Get<CommerceManager.Views.SavedViewService>());
        Services.AddSingleton(App.Get<IValidator<CustomerInput>>());
        Services.AddSingleton(App.Get<IValidator<StaffInput>>());
        Services.AddSingleton(App.Get<IValidator<CommerceManager.Addresses.AddressInput>>());
        Services.AddSingleton(App.Get<CommerceManager.Addresses.AddressService>());
        Services.AddSingleton(App.Get<CommerceManager.Orders.OrderService>());
        Services.AddSingleton(App.Get<CommerceManager.Orders.GatewayService>());
        Services.AddSingleton(App.Get<CommerceManager.Orders.PaymentService>());
        Services.AddSingleton(App.Get<CommerceManager.Accounts.AccountService>());
        Services.AddSingleton(App.Get<CommerceManager.Accounts.AccountMemberService>());
        Services.AddSingleton(App.Get<CommerceManager.CustomFields.CustomFieldValues>());
        Services.AddSingleton(App.Get<CommerceManager.CustomFields.FieldDesigner>());
        Services.AddSingleton(App.Get<CommerceManager.CustomerSignIn.OidcProfileService>());
        Services.AddSingleton(App.Get<CommerceManager.CustomerSignIn.RealmService>());
        Services.AddSingleton(App.Get<CommerceManager.History.HistoryService>());
        Services.AddSingleton(App.Get<CommerceManager.Live.LiveBus>());
        Services.AddScoped<CommerceManager.Live.ConsoleTab>();
        Services.AddSingleton(App.Get<CommerceManager.Dashboard.DashboardService>());
        Services.AddSingleton(App.Get<CommerceManager.Live.PresenceService>());
        Auth = AddAuthorization();
        Popovers = Render<MudPopoverProvider>();
        Dialogs = Render<MudDialogProvider>();
    }

    protected void SignInAs(string role)
    {
        Auth.SetAuthorized($"{role.ToLowerInvariant()}@example.com");
        Auth.SetRoles(role);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await App.DisposeAsync();
    }
}

public static class TypingExtensions
{
    /// <summary>
    /// Types into an input the way the browser reports it: fields that update as you type (Immediate) listen to
    /// <c>input</c>, the others to <c>change</c>.
    /// </summary>
    public static void TypeText(this AngleSharp.Dom.IElement input, string value)
    {
        if (input.HasAttribute("blazor:oninput"))
        {
            input.Input(value);
        }
        else
        {
            input.Change(value);
        }
    }
}
