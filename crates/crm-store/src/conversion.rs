//! Queries: conversion (market issue).
