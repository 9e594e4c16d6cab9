using CommerceManager.Common;
using CommerceManager.History;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace CommerceManager.Webhooks;

public static class WebhooksSetup
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookSettings>().BindConfiguration("Webhooks");
        services.AddSingleton<IValidator<IntegrationInput>, IntegrationInputValidator>();
        services.AddSingleton<IntegrationService>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigureHttpClient(c =>
            {
                // The dispatcher times each attempt itself and reads the first kilobyte of an answer from its stream.
                c.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(sp => OutboundConnections.CreateHandler(() => sp.GetRequiredService<IOptions<WebhookSettings>>().Value.AllowPrivateAddresses));
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<IStoreEvents>(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddHousekeeping("webhook delivery logs past their 30 days deleted", (sp, ct) => sp.GetRequiredService<IntegrationService>().ForgetOldLogsAsync(ct));
        // Webhooks made, changed and deleted, by whom, on the Activity page (never the secret key: only whether it changed).
        services.AddHistoryRule(HistoryRule.For<Integration>("integration", ChangeKinds.Settings, i => i.Id, _ => null, i => i.Name)
            .Field(nameof(Integration.Name), "name").Field(nameof(Integration.Url), "url").Field(nameof(Integration.Observes), "observes")
            .Field(nameof(Integration.Enabled), "enabled").WithSecret(nameof(Integration.SecretKey), "secret_key"));
        return services;
    }
}
