package io.stemflow.pipeline.query;

import java.util.List;

/**
 * Every account, gathered from every instance ({@code GET /accounts}), sorted by accountId.
 *
 * @param accounts  the accounts
 * @param instances the instances ({@code host:port}) whose stores were read
 */
public record AccountsView(List<AccountView> accounts, List<String> instances) {

    public AccountsView {
        accounts = accounts == null ? List.of() : List.copyOf(accounts);
        instances = instances == null ? List.of() : List.copyOf(instances);
    }
}
