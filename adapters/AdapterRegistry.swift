import GangwayCore

/// Every provider this build knows. Adding one: a folder under adapters/, and one line here.
public enum AdapterRegistry {
    public static let standard = ProviderRegistry([
        WhatsAppAdapter.descriptor,
        TelegramAdapter.descriptor,
        TwilioAdapter.descriptor,
        TwilioVoiceAdapter.descriptor,
        MessengerAdapter.descriptor,
        InstagramAdapter.descriptor,
        SlackAdapter.descriptor,
        LineAdapter.descriptor,
        WebhookAdapter.descriptor,
        DiscordAdapter.descriptor,
        ViberAdapter.descriptor,
        BirdAdapter.descriptor,
        WeChatAdapter.descriptor,
        TelnyxAdapter.descriptor,
        PlivoAdapter.descriptor,
        SinchAdapter.descriptor,
        InfobipAdapter.descriptor,
        VonageAdapter.descriptor,
        BotFrameworkAdapter.descriptor,
        TelnyxVoiceAdapter.descriptor,
        PlivoVoiceAdapter.descriptor,
        VonageVoiceAdapter.descriptor,
        AudioCodesAdapter.descriptor,
    ])
}
