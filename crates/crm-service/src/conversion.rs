//! Use-cases: conversion (market issue).
