package com.agentsecretstore.policy;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A run-time setting, stored as JSON under a name. Read and written by {@link SettingTable}. */
@Entity
@Table(name = "setting")
public class Setting extends PanacheEntityBase {
    @Id
    public String name;
    public String value;
    public Instant updatedAt;
    public String updatedBy;
}
