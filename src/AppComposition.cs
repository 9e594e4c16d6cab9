using CommerceManager.Account;
using CommerceManager.AccountMoves;
using CommerceManager.Accounts;
using CommerceManager.Addresses;
using CommerceManager.ApiKeys;
using CommerceManager.CustomFields;
using CommerceManager.CustomerSignIn;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.DataTransfer;
using CommerceManager.Duplicates;
using CommerceManager.Exports;
using CommerceManager.History;
using CommerceManager.Live;
using CommerceManager.Operations;
using CommerceManager.Orders;
using CommerceManager.Privacy;
using CommerceManager.Security;
using CommerceManager.Staff;
using CommerceManager.Tokens;
using CommerceManager.Webhooks;

namespace CommerceManager;

/// <summary>
/// The one list of what the product is made of: the foundation and every feature, each registering itself. The web
/// app, the command-line tools and the tests all start from here, so they run the same services.
/// </summary>
public static class AppComposition
{
    public static IServiceCollection AddCommerceManager(this IServiceCollection services, IConfiguration config, string contentRoot)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Common.BackgroundWork>();
        services.AddMetrics();
        services.AddSingleton<Common.AppMetrics>();
        services.AddDatabase(config, contentRoot);
        services.AddKeyStorage(config, contentRoot);
        services.AddStaffIdentity();
        services.AddStaff();
        services.AddSingleton<CommerceManager.Views.SavedViewService>();
        services.AddApiKeys();
        services.AddWebhooks();
        services.AddTokens();
        services.AddCustomFields();
        services.AddLive(config);
        services.AddHistory();
        // The store's field designs on the Activity page: who added, changed, switched off or deleted which field. (Here,
        // not in CustomFields: History reads custom values, so CustomFields may not depend on History.)
        services.AddHistoryRule(HistoryRule.For<Field>("custom-field", ChangeKinds.Settings, f => f.Id, _ => null, f => f.Name)
            .Field(nameof(Field.Name), "name").Field(nameof(Field.Slug), "slug").Field(nameof(Field.Type), "type")
            .Field(nameof(Field.Required), "required").Field(nameof(Field.Enabled), "enabled").Field(nameof(Field.DefaultJson), "default")
            .Field(nameof(Field.Description), "description"));
        services.AddHistoryRule(HistoryRule.For<Flow>("custom-fields-flow", ChangeKinds.Settings, f => f.Id, _ => null, f => f.Slug)
            .Field(nameof(Flow.Enabled), "enabled"));
        services.AddCustomers(config);
        services.AddAccounts(config);
        services.AddAddresses();
        services.AddOrders();
        services.AddExports(config, contentRoot);
        services.AddDataTransfer();
        services.AddDuplicates();
        services.AddAccountMoves();
        services.AddPrivacy();
        services.AddSingleton<Dashboard.DashboardService>();
        services.AddCustomerSignIn();
        services.AddOperations(config, contentRoot);
        return services;
    }
}
